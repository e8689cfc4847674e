using System.Text;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// PDFs with a text layer, through poppler's pdfinfo and pdftotext. <c>-layout</c> keeps columns
/// apart, which is what lets the field stage read "Invoice No.   INV060035" as label and value.
/// </summary>
public sealed class PdfTextExtractor : ITextExtractor
{
    public const string Method = "pdftotext";

    public bool CanExtract(FileKind kind) => kind == FileKind.Pdf;

    public async ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        // A full path always starts with '/', so a file named "-x.pdf" can never be read as an option.
        var path = Path.GetFullPath(doc.FilePath);

        var info = await ExternalTool.RunAsync("pdfinfo", [path], ct);
        var infoText = Encoding.UTF8.GetString(info.Stdout);
        if (info.ExitCode != 0) throw Refusal(info.Stderr, encrypted: false);
        var encrypted = FieldOf(infoText, "Encrypted")?.StartsWith("yes", StringComparison.OrdinalIgnoreCase) == true;
        var pageCount = int.TryParse(FieldOf(infoText, "Pages"), out var n) ? n : 0;

        ToolResult text;
        try
        {
            text = await ExternalTool.RunAsync("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"], ct);
        }
        catch (ToolOutputTooLargeException ex)
        {
            // Retrying gives the same output, so this is the document's doing, not a transient fault.
            throw new UnprocessableDocumentException("The PDF holds more text than Docket accepts.", ex);
        }

        if (text.ExitCode != 0 || MentionsPassword(text.Stderr)) throw Refusal(text.Stderr, encrypted);

        var result = Split(Encoding.UTF8.GetString(text.Stdout), pageCount);
        if (string.IsNullOrWhiteSpace(result.Content))
            throw new UnprocessableDocumentException("The PDF has no text layer; OCR is not available in this build yet.");

        ReportPages(progress, result.Pages);
        return result;
    }

    /// <summary>
    /// pdftotext ends every page with a form feed. Pages are joined by "\n" instead, and each
    /// page's offset is recorded. When pdfinfo counts more pages than pdftotext printed (it stops
    /// early on some damaged files) the missing pages are kept as empty ones at the end, so the
    /// page count stays the document's.
    /// </summary>
    public static ExtractedText Split(string output, int pageCount = 0)
    {
        var normalised = output.Contains('\r') ? output.Replace("\r\n", "\n").Replace('\r', '\n') : output;
        var pages = normalised.Split('\f').ToList();
        if (pages.Count > 1 && pages[^1].Length == 0) pages.RemoveAt(pages.Count - 1);
        while (pages.Count < pageCount) pages.Add("");

        var starts = new List<int>(pages.Count);
        var offset = 0;
        foreach (var page in pages)
        {
            starts.Add(offset);
            offset += page.Length + 1;
        }

        var joined = string.Join("\n", pages);
        var content = TextDecoding.Truncate(joined);
        // Pages cut away by truncation are dropped; the first page always starts at 0.
        if (content.Length < joined.Length) starts.RemoveAll(s => s > 0 && s >= content.Length);
        return new ExtractedText(content, starts, Method);
    }

    private static void ReportPages(IProgress<StageProgress> progress, int pages)
    {
        if (pages < 2) return;
        var lastPercent = -1;
        for (var page = 1; page <= pages; page++)
        {
            // At most one event per percent: a 2,000-page PDF must not flood the event stream.
            var percent = 100 * page / pages;
            if (percent == lastPercent) continue;
            lastPercent = percent;
            progress.Report(new StageProgress(percent, $"Read page {page} of {pages}"));
        }
    }

    private static string? FieldOf(string pdfinfo, string name)
    {
        foreach (var line in pdfinfo.Split('\n'))
            if (line.StartsWith(name + ":", StringComparison.Ordinal))
                return line[(name.Length + 1)..].Trim();
        return null;
    }

    private static bool MentionsPassword(string stderr) =>
        stderr.Contains("password", StringComparison.OrdinalIgnoreCase)
        || stderr.Contains("encrypt", StringComparison.OrdinalIgnoreCase);

    private static UnprocessableDocumentException Refusal(string stderr, bool encrypted)
    {
        if (encrypted || MentionsPassword(stderr))
            return new UnprocessableDocumentException("The PDF is password-protected.");

        var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "the reader gave no reason";
        // "Syntax Error: Couldn't find trailer dictionary" reads better for users without poppler's prefix.
        const string prefix = "Syntax Error: ";
        if (first.StartsWith(prefix, StringComparison.Ordinal)) first = first[prefix.Length..];
        return new UnprocessableDocumentException($"The PDF is damaged or not a PDF: {first}");
    }
}
