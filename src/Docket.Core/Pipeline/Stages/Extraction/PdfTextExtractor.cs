using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// PDFs through poppler: pdftotext for the text layer (and the page count; a long PDF is read in page
/// ranges by several pdftotext processes, after pdfinfo counted its pages), and for pages whose
/// layer is missing or garbage (<see cref="TextLayerCheck"/>) pdfinfo for their sizes, then
/// pdftoppm and tesseract, one page at a time. <c>-layout</c> keeps columns apart, which is what lets the
/// field stage read "Invoice No.   INV060035" as label and value.
/// </summary>
public sealed partial class PdfTextExtractor(OcrOptions? options = null) : ITextExtractor
{
    public const string Method = "pdftotext";
    public const string OcrMethod = "ocr";
    public const string MixedMethod = "pdftotext+ocr";

    /// <summary>A page that would need a lower resolution than this to fit the pixel limit is unreadable anyway.</summary>
    private const int MinDpi = 72;

    /// <summary>OCR text replaces a page's layer only when clearly better, so a short but real page keeps its exact text.</summary>
    private const double OcrMustScoreTimes = 1.25;

    private readonly TesseractOcr _ocr = new(options ?? new OcrOptions());

    private OcrOptions Options => _ocr.Options;

    public bool CanExtract(FileKind kind) => kind == FileKind.Pdf;

    public async ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        // A full path always starts with '/', so a file named "-x.pdf" can never be read as an option.
        var path = Path.GetFullPath(doc.FilePath);

        // The words' boxes are a second pdftotext run over the same pages, side by side with the first.
        using var stopBoxes = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var boxes = ReadWordBoxesAsync(path, stopBoxes.Token);
        StreamedPages pages;
        try
        {
            pages = await ReadTextLayerAsync(path, doc.SizeBytes, ct);
        }
        catch
        {
            await stopBoxes.CancelAsync();
            await ((Task)boxes).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        var boxed = await boxes;
        var laidOut = pages.Pages
            .Select((text, i) => boxed is not null && i < boxed.Count ? PdfWordBoxes.Place(text, boxed[i]) : LaidOutPage.TextOnly(text))
            .ToList();
        var layers = pages.Layers;
        var scanned = Enumerable.Range(0, pages.Count).Where(i => layers[i].NeedsOcr).ToArray();
        if (scanned.Length == 0)
        {
            ReportPages(progress, pages.Count);
            return PageText.Join(laidOut, Method);
        }

        if (scanned.Length > Options.MaxPages)
            throw new UnprocessableDocumentException(
                $"The PDF has {scanned.Length:N0} pages without a usable text layer; OCR reads at most {Options.MaxPages:N0}.");

        // Page sizes (for the render resolution) only when there is something to render, and only as far as OCR could go.
        var sizing = await ExternalTool.RunAsync("pdfinfo",
            ["-f", "1", "-l", Options.MaxPages.ToString(CultureInfo.InvariantCulture), path], ct);
        var sizes = PageSizes(Encoding.UTF8.GetString(sizing.Stdout));
        var replaced = 0;
        // The models of the first OCR'd page whose words named a language read the rest: the choice is per
        // document, and a later page need not pay for a first pass.
        string? languages = null;
        var folder = CreateWorkFolder();
        try
        {
            for (var k = 0; k < scanned.Length; k++)
            {
                var index = scanned[k];
                var size = sizes.GetValueOrDefault(index + 1);
                var (ocrPage, read) = await OcrPageAsync(path, index + 1, size, folder.FullName, languages, ct);
                if (read.Chosen) languages ??= read.Languages;
                if (TextLayerCheck.Assess(ocrPage.Text).Score > layers[index].Score * OcrMustScoreTimes)
                {
                    // The boxes are fractions of the rendered image, and so of the page; the page keeps its size in points.
                    laidOut[index] = size is { WidthPoints: > 0 } points ? ocrPage with { Size = new PageSize(points.WidthPoints, points.HeightPoints, "pt") } : ocrPage;
                    replaced++;
                }
                progress.Report(new StageProgress(100 * (k + 1) / scanned.Length, $"OCR page {index + 1} of {pages.Count}"));
            }
        }
        finally
        {
            DeleteQuietly(folder);
        }

        var result = PageText.Join(laidOut, replaced == 0 ? Method : replaced == pages.Count ? OcrMethod : MixedMethod);
        if (string.IsNullOrWhiteSpace(result.Content))
            throw new UnprocessableDocumentException(
                $"The PDF has no text layer, and OCR found no text on its {pages.Count:N0} page{(pages.Count == 1 ? "" : "s")}.");
        return result;
    }

    /// <summary>
    /// The text layer, page by page. pdftotext alone, on the whole file: it ends every page it reads with a
    /// form feed, from the first page to the last pdfinfo would count, so a clean run says how many pages
    /// there are, and pages are decoded and judged as it writes them. A long PDF is read in page ranges by
    /// several pdftotext processes at once (as many as <see cref="ExternalTool.ConcurrencyLimit"/> allows):
    /// pdftotext uses one core, and the ranges cost together what the whole file costs (measured: two halves
    /// of a 100-page invoice took 0.13 + 0.11 s of CPU against 0.20-0.25 s for the whole). Only then is
    /// pdfinfo asked for the page count; on a short PDF a third process cost as much CPU as the analysis.
    /// </summary>
    private static async Task<StreamedPages> ReadTextLayerAsync(string path, long sizeBytes, CancellationToken ct)
    {
        var ranges = sizeBytes >= SplitFromBytes && ExternalTool.ConcurrencyLimit > 1 ? await PageRangesAsync(path, ct) : null;
        if (ranges is not null)
        {
            var parts = await Task.WhenAll(ranges.Select(range => ReadPagesAsync(path, range, ct)));
            // pdftotext gives a range exactly its pages; anything else (a PDF it reads differently by range) is read whole.
            if (parts.Zip(ranges).All(p => p.First.Count == p.Second.Last - p.Second.First + 1))
            {
                if (parts.Sum(p => p.Bytes) > ExternalTool.DefaultMaxStdoutBytes)
                    throw new UnprocessableDocumentException("The PDF holds more text than Docket accepts.");
                return StreamedPages.Concat(parts);
            }
        }

        return await ReadPagesAsync(path, null, ct);
    }

    /// <summary>Files smaller than this are read by one pdftotext: about 20 pages of text, where a second process would gain little.</summary>
    public const long SplitFromBytes = 48 * 1024;

    /// <summary>Fewer pages than this per range are not worth a process of their own.</summary>
    public const int MinPagesPerRange = 10;

    /// <summary>Page ranges for parallel reading, or null when the PDF is short, or pdfinfo cannot read it (pdftotext then explains why).</summary>
    private static async Task<(int First, int Last)[]?> PageRangesAsync(string path, CancellationToken ct)
    {
        var info = await ExternalTool.RunAsync("pdfinfo", [path], ct);
        if (info.ExitCode != 0 || MentionsPassword(info.Stderr)) return null;
        if (!int.TryParse(FieldOf(Encoding.UTF8.GetString(info.Stdout), "Pages"), NumberStyles.None, CultureInfo.InvariantCulture, out var pageCount))
            return null;
        return PlanRanges(pageCount, ExternalTool.ConcurrencyLimit);
    }

    /// <summary>
    /// Pages 1..<paramref name="pageCount"/> in consecutive ranges, one per process, that differ in length by at
    /// most one page and hold at least <see cref="MinPagesPerRange"/> each; null when that leaves one range.
    /// </summary>
    public static (int First, int Last)[]? PlanRanges(int pageCount, int processes)
    {
        var count = Math.Min(processes, pageCount / MinPagesPerRange);
        if (count < 2) return null;
        var ranges = new (int First, int Last)[count];
        var first = 1;
        for (var i = 0; i < count; i++)
        {
            var length = pageCount / count + (i < pageCount % count ? 1 : 0);
            ranges[i] = (first, first + length - 1);
            first += length;
        }
        return ranges;
    }

    private static async Task<StreamedPages> ReadPagesAsync(string path, (int First, int Last)? range, CancellationToken ct)
    {
        string[] arguments = range is { } r
            ? ["-f", r.First.ToString(CultureInfo.InvariantCulture), "-l", r.Last.ToString(CultureInfo.InvariantCulture), "-layout", "-enc", "UTF-8", path, "-"]
            : ["-layout", "-enc", "UTF-8", path, "-"];
        var pages = new StreamedPages();
        ToolResult text;
        try
        {
            text = await ExternalTool.RunAsync("pdftotext", arguments, ct, onStdout: chunk => pages.Add(chunk.Span));
        }
        catch (ToolOutputTooLargeException ex)
        {
            // Retrying gives the same output, so this is the document's doing, not a transient fault.
            throw new UnprocessableDocumentException("The PDF holds more text than Docket accepts.", ex);
        }

        if (text.ExitCode != 0 || MentionsPassword(text.Stderr)) throw await RefusalAsync(text, path, ct);
        pages.Finish();
        return pages;
    }

    /// <summary>
    /// Pages from the first to <see cref="MaxBoxedPages"/> with their words' boxes, or null when pdftotext cannot give
    /// them (the text layer's own reading then says why, if anything is wrong with the file): the boxes are for
    /// showing fields on the page and placing words, and a document is read as well without them.
    /// </summary>
    private static async Task<List<PdfWordBoxes.BoxedPage>?> ReadWordBoxesAsync(string path, CancellationToken ct)
    {
        try
        {
            var result = await ExternalTool.RunAsync("pdftotext",
                ["-l", MaxBoxedPages.ToString(CultureInfo.InvariantCulture), "-bbox-layout", "-enc", "UTF-8", path, "-"], ct);
            if (result.ExitCode != 0) return null;
            using var xhtml = new MemoryStream(result.Stdout, writable: false);
            return PdfWordBoxes.Parse(xhtml);
        }
        catch (Exception ex) when (ex is ExternalToolException or System.Xml.XmlException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>
    /// Word boxes are read for this many pages at most: some 30 KB of stored geometry a page, and a field is
    /// rarely printed after page 50; later pages have text but no boxes.
    /// </summary>
    public const int MaxBoxedPages = 50;

    /// <summary>Renders one page to a greyscale image in <paramref name="folder"/>, reads it, and removes the image.</summary>
    private async Task<(LaidOutPage Page, OcrRead Read)> OcrPageAsync(
        string pdf, int page, PointsSize? size, string folder, string? languages, CancellationToken ct)
    {
        var dpi = DpiFor(page, size);
        var number = page.ToString(CultureInfo.InvariantCulture);
        var stem = Path.Combine(folder, "page-" + number);
        // PGM, not PNG: compressing a 9 MB page only for tesseract to decompress it took longer than the OCR.
        var rendered = await ExternalTool.RunAsync("pdftoppm",
            ["-r", dpi.ToString(CultureInfo.InvariantCulture), "-gray", "-f", number, "-l", number, "-singlefile", pdf, stem], ct,
            timeout: Options.PageTimeout, memoryLimitBytes: Options.MemoryLimitBytes);
        var image = stem + ".pgm";
        try
        {
            // pdftoppm that runs out of memory says so and still exits 0, with a blank page.
            if (rendered.RanOutOfMemory)
                throw new UnprocessableDocumentException(
                    $"Rendering page {page} of the PDF for OCR needed more memory than the {Options.MemoryLimitBytes / (1024 * 1024):N0} MB it may use.");
            if (rendered.ExitCode != 0 || !File.Exists(image))
                throw new UnprocessableDocumentException($"The PDF page {page} could not be rendered for OCR: {FirstLine(rendered.Stderr)}");

            var read = await _ocr.ReadAsync(image, dpi, $"page {page}", 1, pageRead: null, ct, languages);
            return (read.Pages.Count > 0 ? read.Pages[0] : LaidOutPage.TextOnly(""), read);
        }
        finally
        {
            File.Delete(image);
        }
    }

    private int DpiFor(int page, PointsSize? size)
    {
        if (size is not { } known) return Options.Dpi;
        var squareInches = known.WidthPoints / 72 * (known.HeightPoints / 72);
        if (squareInches <= 0) return Options.Dpi;
        var fitting = (int)Math.Floor(Math.Sqrt(Options.MaxPixels / squareInches));
        if (fitting < MinDpi)
            throw new UnprocessableDocumentException(FormattableString.Invariant(
                $"The PDF page {page} measures {known.WidthPoints / 72:0.#} × {known.HeightPoints / 72:0.#} inches, too large to render for OCR."));
        return Math.Min(Options.Dpi, fitting);
    }

    private readonly record struct PointsSize(double WidthPoints, double HeightPoints);

    /// <summary>The "Page    3 size:  612 x 792 pts (letter)" lines of <c>pdfinfo -f -l</c>.</summary>
    private static Dictionary<int, PointsSize> PageSizes(string pdfinfo)
    {
        var sizes = new Dictionary<int, PointsSize>();
        foreach (Match match in PageSizeLine().Matches(pdfinfo))
            sizes[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)] = new PointsSize(
                double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        return sizes;
    }

    [GeneratedRegex(@"^Page +(\d+) size: +([0-9.]+) x ([0-9.]+) pts", RegexOptions.Multiline)]
    private static partial Regex PageSizeLine();

    /// <summary>pdftotext's output split into pages: it ends every page with a form feed. <see cref="StreamedPages"/> gives the same pages.</summary>
    public static List<string> SplitPages(string output)
    {
        var pages = PageText.NormaliseLineEnds(output).Split('\f').ToList();
        if (pages.Count > 1 && pages[^1].Length == 0) pages.RemoveAt(pages.Count - 1);
        return pages;
    }

    /// <summary>pdftotext's output as one text with page offsets; see <see cref="SplitPages"/> and <see cref="PageText.Join"/>.</summary>
    public static ExtractedText Split(string output) => PageText.Join(SplitPages(output), Method);

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

    private DirectoryInfo CreateWorkFolder()
    {
        if (string.IsNullOrEmpty(Options.WorkDirectory)) return Directory.CreateTempSubdirectory("docket-ocr-");
        return Directory.CreateDirectory(Path.Combine(Options.WorkDirectory, "docket-ocr-" + Guid.NewGuid().ToString("N")));
    }

    private static void DeleteQuietly(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Only a rendered page could be left, in the temp folder; nothing refers to it.
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

    private static string FirstLine(string stderr)
    {
        var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? "the reader gave no reason";
        // "Syntax Error: Couldn't find trailer dictionary" reads better for users without poppler's prefix.
        const string prefix = "Syntax Error: ";
        return first.StartsWith(prefix, StringComparison.Ordinal) ? first[prefix.Length..] : first;
    }

    /// <summary>Why pdftotext failed: pdfinfo tells a locked PDF from a damaged one even when pdftotext's message does not.</summary>
    private static async Task<UnprocessableDocumentException> RefusalAsync(ToolResult text, string path, CancellationToken ct)
    {
        var info = await ExternalTool.RunAsync("pdfinfo", [path], ct);
        var encrypted = MentionsPassword(info.Stderr)
            || FieldOf(Encoding.UTF8.GetString(info.Stdout), "Encrypted")?.StartsWith("yes", StringComparison.OrdinalIgnoreCase) == true;
        return Refusal(text, encrypted);
    }

    private static UnprocessableDocumentException Refusal(ToolResult result, bool encrypted)
    {
        if (encrypted || MentionsPassword(result.Stderr))
            return new UnprocessableDocumentException("The PDF is password-protected.");
        if (result.RanOutOfMemory)
            return new UnprocessableDocumentException(
                $"Reading the PDF needed more memory than the {ExternalTool.DefaultMemoryLimitBytes / (1024 * 1024):N0} MB a tool may use.");
        return new UnprocessableDocumentException($"The PDF is damaged or not a PDF: {FirstLine(result.Stderr)}");
    }
}

/// <summary>
/// pdftotext's output read as it arrives: UTF-8 decoded (a character split between two pieces is kept
/// for the next), split into pages at form feeds, and each page judged by <see cref="TextLayerCheck"/>
/// as soon as it is complete. <see cref="Finish"/> leaves exactly the pages of <see cref="PdfTextExtractor.SplitPages"/>.
/// </summary>
public sealed class StreamedPages
{
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _page = new();
    private char[] _chars = [];

    public List<string> Pages { get; } = [];

    public List<TextLayerCheck.Assessment> Layers { get; } = [];

    public int Count => Pages.Count;

    /// <summary>The bytes read, for the cap on a document's text when it is read in parts.</summary>
    public long Bytes { get; private set; }

    public void Add(ReadOnlySpan<byte> bytes)
    {
        Bytes += bytes.Length;
        Decode(bytes, flush: false);
    }

    /// <summary>Finished parts of one text, in order, as one.</summary>
    public static StreamedPages Concat(IEnumerable<StreamedPages> parts)
    {
        var whole = new StreamedPages();
        foreach (var part in parts)
        {
            whole.Pages.AddRange(part.Pages);
            whole.Layers.AddRange(part.Layers);
            whole.Bytes += part.Bytes;
        }
        return whole;
    }

    /// <summary>Ends the text: what follows the last form feed is a page when it holds anything, or when it is all there is.</summary>
    public void Finish()
    {
        Decode([], flush: true);
        if (_page.Length > 0 || Pages.Count == 0) EndPage();
    }

    private void Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _utf8.GetCharCount(bytes, flush);
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, 2 * _chars.Length)];
        var chars = _chars.AsSpan(0, _utf8.GetChars(bytes, _chars, flush));
        for (var formFeed = chars.IndexOf('\f'); formFeed >= 0; formFeed = chars.IndexOf('\f'))
        {
            _page.Append(chars[..formFeed]);
            EndPage();
            chars = chars[(formFeed + 1)..];
        }

        _page.Append(chars);
    }

    private void EndPage()
    {
        var page = PageText.NormaliseLineEnds(_page.ToString());
        _page.Clear();
        Pages.Add(page);
        Layers.Add(TextLayerCheck.Assess(page));
    }
}
