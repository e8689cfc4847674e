using System.Globalization;
using System.Text;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Pipeline.Stages.EInvoices;

/// <summary>A file embedded in a PDF, numbered from 1 as pdfdetach lists it.</summary>
public sealed record PdfAttachment(int Number, string Name);

/// <summary>The files embedded in a PDF, through poppler's pdfdetach.</summary>
public static class PdfAttachments
{
    private const int MaxListBytes = 256 * 1024;

    /// <summary>The attachments, or none when pdfdetach cannot read the PDF (the text extractor says why).</summary>
    public static async Task<IReadOnlyList<PdfAttachment>> ListAsync(string pdfPath, CancellationToken ct)
    {
        ToolResult result;
        try
        {
            result = await ExternalTool.RunAsync("pdfdetach", ["-list", "-enc", "UTF-8", Path.GetFullPath(pdfPath)], ct, maxStdoutBytes: MaxListBytes);
        }
        catch (ToolOutputTooLargeException)
        {
            // Thousands of attachments: not an e-invoice PDF, and not worth listing.
            return [];
        }

        if (result.ExitCode != 0) return [];
        var attachments = new List<PdfAttachment>();
        // "1 embedded files", then "1: factur-x.xml", one line per file.
        foreach (var line in Encoding.UTF8.GetString(result.Stdout).Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(line.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                attachments.Add(new PdfAttachment(number, line[(colon + 2)..].TrimEnd('\r')));
        }

        return attachments;
    }

    /// <exception cref="ToolOutputTooLargeException">The attachment is larger than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="EInvoiceFormatException">pdfdetach could not extract it.</exception>
    public static async Task<byte[]> ReadAsync(string pdfPath, PdfAttachment attachment, int maxBytes, CancellationToken ct)
    {
        // pdfdetach only writes to a named file. Naming its own stdout sends the bytes through the
        // runner, whose cap stops an oversized (or decompression-bomb) attachment while it is being
        // written; nothing reaches the disk, so there is no temp file to clean up.
        var result = await ExternalTool.RunAsync(
            "pdfdetach",
            ["-save", attachment.Number.ToString(CultureInfo.InvariantCulture), "-o", "/dev/stdout", Path.GetFullPath(pdfPath)],
            ct,
            maxStdoutBytes: maxBytes);
        if (result.ExitCode != 0)
        {
            var reason = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            throw new EInvoiceFormatException($"The attachment could not be extracted ({reason ?? $"pdfdetach exit code {result.ExitCode}"}).", isEInvoice: false);
        }

        return result.Stdout;
    }
}
