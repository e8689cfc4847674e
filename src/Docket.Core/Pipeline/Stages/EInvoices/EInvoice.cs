namespace Docket.Core.Pipeline.Stages.EInvoices;

public enum EInvoiceSyntax
{
    /// <summary>UN/CEFACT Cross Industry Invoice (D16B), the XML of Factur-X, ZUGFeRD 2 and XRechnung CII.</summary>
    Cii,

    /// <summary>OASIS UBL 2 Invoice or CreditNote, as XRechnung UBL and Peppol send them.</summary>
    Ubl,
}

/// <summary>
/// The invoice fields an e-invoice states. Amounts follow the result's convention, not the XML's:
/// a credit note's net, tax, total, line quantities and line amounts are negative (its unit prices
/// stay positive), although the XML writes them positive.
/// </summary>
public sealed record EInvoice(
    EInvoiceSyntax Syntax,
    bool IsCreditNote,
    string? Issuer,
    string? InvoiceNumber,
    DateOnly? Date,
    DateOnly? DueDate,
    string? Currency,
    decimal? Net,
    decimal? Tax,
    decimal? Total,
    IReadOnlyList<LineItem> LineItems,
    IReadOnlyList<string> Warnings)
{
    /// <summary>The <see cref="ExtractedFields.Method"/> of fields read from this invoice.</summary>
    public string Method => Syntax == EInvoiceSyntax.Cii ? FieldMethods.EmbeddedCii : FieldMethods.EmbeddedUbl;

    public string Category => IsCreditNote ? Categories.CreditNote : Categories.Invoice;
}

/// <summary>What the extract stage found attached to a PDF; absent (null on the context) when nothing was.</summary>
public abstract record EmbeddedInvoice(string AttachmentName)
{
    public sealed record Read(string AttachmentName, EInvoice Invoice) : EmbeddedInvoice(AttachmentName);

    /// <summary>An attachment that is, or claims by its name to be, an e-invoice, but could not be read.</summary>
    public sealed record Unreadable(string AttachmentName, string Reason) : EmbeddedInvoice(AttachmentName);
}
