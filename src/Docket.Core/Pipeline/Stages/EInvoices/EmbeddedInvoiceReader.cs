using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Pipeline.Stages.EInvoices;

/// <summary>
/// Finds the e-invoice XML a PDF carries (Factur-X, ZUGFeRD, XRechnung) and reads it. The standard
/// attachment names come first; any other XML attachment is tried too, and counts when its root is
/// a CII or UBL invoice.
/// </summary>
public static class EmbeddedInvoiceReader
{
    /// <summary>Real e-invoices are tens of kilobytes; a few thousand lines stay well below this.</summary>
    public const int MaxAttachmentBytes = EInvoiceXml.MaxCharacters;

    /// <summary>Factur-X, ZUGFeRD (2.x writes zugferd-invoice.xml, 1.x ZUGFeRD-invoice.xml) and XRechnung, in any case.</summary>
    private static readonly string[] StandardNames = ["factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"];

    /// <summary>A PDF with a pile of XML attachments is not an e-invoice; only the first few are opened.</summary>
    private const int MaxCandidates = 4;

    /// <returns>Null when the PDF carries no e-invoice.</returns>
    /// <exception cref="TimeoutException">pdfdetach did not finish: transient, as for every external tool.</exception>
    /// <exception cref="ExternalToolException">pdfdetach could not be started.</exception>
    public static async Task<EmbeddedInvoice?> ReadAsync(string pdfPath, CancellationToken ct)
    {
        var candidates = (await PdfAttachments.ListAsync(pdfPath, ct))
            .Where(a => IsStandardName(a.Name) || a.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => IsStandardName(a.Name) ? 0 : 1)
            .Take(MaxCandidates);

        EmbeddedInvoice.Unreadable? firstProblem = null;
        foreach (var attachment in candidates)
        {
            var outcome = await ReadOneAsync(pdfPath, attachment, ct);
            if (outcome is EmbeddedInvoice.Read) return outcome;
            firstProblem ??= outcome as EmbeddedInvoice.Unreadable;
        }

        return firstProblem;
    }

    /// <returns>Null for an XML attachment that is neither named nor rooted as an e-invoice: some other data, no problem.</returns>
    private static async Task<EmbeddedInvoice?> ReadOneAsync(string pdfPath, PdfAttachment attachment, CancellationToken ct)
    {
        var standard = IsStandardName(attachment.Name);
        byte[] bytes;
        try
        {
            bytes = await PdfAttachments.ReadAsync(pdfPath, attachment, MaxAttachmentBytes, ct);
        }
        catch (ToolOutputTooLargeException)
        {
            return standard ? Unreadable(attachment, $"The attachment is larger than {MaxAttachmentBytes / (1024 * 1024)} MB.") : null;
        }
        catch (EInvoiceFormatException ex)
        {
            return standard ? Unreadable(attachment, ex.Message) : null;
        }

        try
        {
            return EInvoiceXml.Parse(bytes) is { } invoice
                ? new EmbeddedInvoice.Read(attachment.Name, invoice)
                : standard ? Unreadable(attachment, "The XML is neither a CII (Factur-X, ZUGFeRD 2) nor a UBL invoice.") : null;
        }
        catch (EInvoiceFormatException ex) when (standard || ex.IsEInvoice)
        {
            return Unreadable(attachment, ex.Message);
        }
        catch (EInvoiceFormatException)
        {
            // Malformed XML under some other name may be anything; it is not worth a warning.
            return null;
        }
    }

    private static EmbeddedInvoice.Unreadable Unreadable(PdfAttachment attachment, string reason) =>
        new(attachment.Name, $"The e-invoice attached to this PDF ({attachment.Name}) could not be read and was not used. {reason}");

    private static bool IsStandardName(string name) =>
        StandardNames.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}
