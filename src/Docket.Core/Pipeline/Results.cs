namespace Docket.Core.Pipeline;

/// <summary>The text of a document.</summary>
/// <param name="PageStarts">Character offset in <paramref name="Content"/> where each page begins (first is 0).</param>
/// <param name="Method">How the text was obtained: "native", "pdftotext", "ocr", ...</param>
public sealed record ExtractedText(string Content, IReadOnlyList<int> PageStarts, string Method)
{
    public int Pages => PageStarts.Count;

    /// <summary>Where the words of <see cref="Content"/> stand on their pages; null for text that has no pages to stand on (TXT, CSV, JSON, DOCX).</summary>
    public TextGeometry? Geometry { get; init; }

    /// <summary>The source of a value found at [<paramref name="start"/>, <paramref name="end"/>): its page and, with geometry, its box.</summary>
    public FieldSource SourceOf(int start, int end)
    {
        var page = PageOf(start);
        return new FieldSource(page, start, end) { Box = Geometry?.BoxOf(page, start, end) };
    }

    /// <summary>The 1-based page that holds character <paramref name="offset"/>.</summary>
    public int PageOf(int offset)
    {
        var page = 1;
        for (var i = 1; i < PageStarts.Count && PageStarts[i] <= offset; i++) page = i + 1;
        return page;
    }
}

public sealed record DocumentAnalysis(
    string? Title,
    string Summary,
    IReadOnlyList<string> Keywords,
    string? Language,
    int Pages,
    int Words,
    int Lines,
    int Characters);

/// <param name="Method">"rules" or "classifier"; "embedded_cii" or "embedded_ubl" when an attached e-invoice says what the document is.</param>
public sealed record Categorisation(string Category, double Confidence, string Method);

/// <summary>Where in the extracted text a value was found: 1-based page, character offsets [Start, End).</summary>
public sealed record FieldSource(int Page, int Start, int End)
{
    /// <summary>The box around the value's words on <see cref="Page"/>; null when the text has no geometry.</summary>
    public PageBox? Box { get; init; }
}

/// <summary>
/// One extracted value, normalised: dates ISO 8601 (yyyy-MM-dd), amounts with '.' as the decimal
/// separator and no grouping, currencies ISO 4217.
/// </summary>
/// <param name="Type">"text", "date", "amount" or "currency".</param>
public sealed record ExtractedField(string Value, string Type, double Confidence, FieldSource? Source);

public sealed record LineItem(string Description, decimal? Quantity, decimal? UnitPrice, decimal? Amount);

public sealed record ExtractedFields(
    IReadOnlyDictionary<string, ExtractedField> Values,
    IReadOnlyList<LineItem> LineItems,
    IReadOnlyList<string> Warnings)
{
    public static ExtractedFields None { get; } = new(new Dictionary<string, ExtractedField>(), [], []) { Method = FieldMethods.None };

    /// <summary>Where the values came from: one of <see cref="FieldMethods"/>.</summary>
    public string Method { get; init; } = FieldMethods.Text;
}

/// <summary>How a document's fields were obtained, as <see cref="ExtractedFields.Method"/> says it on the wire.</summary>
public static class FieldMethods
{
    /// <summary>Not an invoice: no fields were looked for.</summary>
    public const string None = "none";

    /// <summary>Read from the extracted text.</summary>
    public const string Text = "text";

    /// <summary>Read from a Factur-X / ZUGFeRD (CII) XML attached to the PDF.</summary>
    public const string EmbeddedCii = "embedded_cii";

    /// <summary>Read from a UBL XML attached to the PDF.</summary>
    public const string EmbeddedUbl = "embedded_ubl";
}

public sealed record DocumentResult(
    ExtractedText Text,
    DocumentAnalysis Analysis,
    Categorisation Category,
    ExtractedFields Fields);

/// <summary>The categories of DESIGN.md and the extraction issue, as they appear on the wire.</summary>
public static class Categories
{
    public const string Invoice = "invoice";
    public const string Receipt = "receipt";
    public const string CreditNote = "credit_note";
    public const string Contract = "contract";
    public const string Letter = "letter";
    public const string Memo = "memo";
    public const string Report = "report";
    public const string Resume = "resume";
    public const string TechnicalSpec = "technical_spec";
    public const string Other = "other";

    public static IReadOnlyList<string> All { get; } =
        [Invoice, Receipt, CreditNote, Contract, Letter, Memo, Report, Resume, TechnicalSpec, Other];
}

/// <summary>The invoice field names every extractor, the review screen and exports share.</summary>
public static class FieldNames
{
    public const string Issuer = "issuer";
    public const string InvoiceNumber = "invoice_number";
    public const string Date = "date";
    public const string DueDate = "due_date";
    public const string Net = "net";
    public const string Tax = "tax";
    public const string Total = "total";
    public const string Currency = "currency";

    public static IReadOnlyList<string> All { get; } = [Issuer, InvoiceNumber, Date, DueDate, Net, Tax, Total, Currency];
}
