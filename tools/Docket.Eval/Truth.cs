using System.Text.Json;

namespace Docket.Eval;

/// <summary>One labelled document of truth.json; <see cref="Values"/> holds the eight fields (null where absent).</summary>
internal sealed record TruthDocument(
    string File, string Set, string Format, string? Language, string Category,
    IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyList<string> Notes, string Group)
{
    public bool IsInvoiceLike => Category is "invoice" or "receipt" or "credit_note";
}

internal static class Truth
{
    public static readonly string[] Fields = ["issuer", "invoice_number", "date", "due_date", "net", "tax", "total", "currency"];
    public static readonly string[] AmountFields = ["net", "tax", "total"];

    public const string TextPdf = "text PDFs";
    public const string EInvoice = "e-invoices";
    public const string TextFiles = "text files";
    public const string Ocr = "OCR";
    public static readonly string[] Groups = [TextPdf, EInvoice, TextFiles, Ocr];

    public static List<TruthDocument> Load(string folder)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "truth.json")));
        var documents = new List<TruthDocument>();
        foreach (var doc in json.RootElement.GetProperty("documents").EnumerateArray())
        {
            var file = doc.GetProperty("file").GetString()!;
            var format = doc.GetProperty("format").GetString()!;
            var notes = doc.TryGetProperty("notes", out var n) ? n.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
            var truth = doc.GetProperty("truth");
            var values = Fields.ToDictionary(f => f, f => truth.TryGetProperty(f, out var v) ? v.Clone() : default);
            documents.Add(new TruthDocument(
                file,
                doc.GetProperty("set").GetString()!,
                format,
                doc.TryGetProperty("language", out var language) ? language.GetString() : null,
                doc.GetProperty("category").GetString()!,
                values,
                notes,
                GroupOf(folder, file, format, notes)));
        }

        return documents;
    }

    /// <summary>
    /// Images always need OCR, and so do PDFs whose notes say so (the corpus marks its simulated scans);
    /// a PDF with its CII XML beside it (extracted as NAME.embedded.xml) is an e-invoice.
    /// </summary>
    private static string GroupOf(string folder, string file, string format, List<string> notes)
    {
        if (format is "png" or "jpg" or "jpeg" or "tif" or "tiff") return Ocr;
        if (format != "pdf") return TextFiles;
        if (notes.Any(n => n.Contains("OCR required", StringComparison.OrdinalIgnoreCase))) return Ocr;
        var xml = Path.Combine(folder, Path.ChangeExtension(file, ".embedded.xml"));
        return File.Exists(xml) || notes.Any(n => n.Contains("XML attachment", StringComparison.OrdinalIgnoreCase)) ? EInvoice : TextPdf;
    }
}
