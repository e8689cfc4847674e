using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Reads the text of an image file with the tesseract command, under the timeout, output cap and
/// memory cap of <see cref="OcrOptions"/>.
/// </summary>
public sealed class TesseractOcr(OcrOptions options)
{
    /// <summary>A dense page is a few thousand words at some 40 bytes of TSV each; anything near this is not text.</summary>
    private const int MaxBytesPerPage = 1024 * 1024;

    /// <summary>
    /// One thread per tesseract: OpenMP would start one per core in every process, and with a job
    /// per core they only fight each other (measured slower, see docs/decisions.md).
    /// </summary>
    private static readonly Dictionary<string, string> Environment = new() { ["OMP_THREAD_LIMIT"] = "1" };

    public OcrOptions Options { get; } = options;

    /// <summary>
    /// A first reading with fewer of its words above <see cref="OcrLanguages.MinConfidence"/> than this is noise: the
    /// noisy scans had 1-2% of them, clean pages 80-90%; at 50% real receipts were read twice often enough to cost a
    /// quarter more CPU (decision 73).
    /// </summary>
    public const double MinConfidentShare = 0.2;

    /// <summary>
    /// The text of each page of <paramref name="imagePath"/> (a multi-page TIFF has several), in order, and the
    /// models that read it. With several models configured and <see cref="OcrOptions.ChooseLanguages"/>, a first
    /// pass with the first of them (English) is kept when the page reads as that language or as none, and read
    /// again with the one model it reads as otherwise (<see cref="OcrLanguages"/>); several models at once cost more
    /// and read fewer of the words (decision 72).
    /// </summary>
    /// <param name="dpi">The image's resolution when known (a rendered PDF page); tesseract estimates it otherwise.</param>
    /// <param name="what">Names the image in refusals: "page 3", "the image".</param>
    /// <param name="pages">Pages in the image, for the time and output allowance.</param>
    /// <param name="pageRead">Called with the 1-based page number as tesseract finishes each page of the first pass.</param>
    /// <param name="languages">The models to read with, skipping the choice: those an earlier page of the document was read with.</param>
    /// <exception cref="UnprocessableDocumentException">tesseract could not read the image, or needed more memory than allowed.</exception>
    /// <exception cref="ExternalToolException">tesseract or its language data is missing (a deployment fault, retried).</exception>
    public async Task<OcrRead> ReadAsync(
        string imagePath, int? dpi, string what, int pages, Action<int>? pageRead, CancellationToken ct, string? languages = null)
    {
        var configured = Options.Languages.Split('+');
        var choose = languages is null && Options.ChooseLanguages && configured.Length > 1;
        var first = choose ? configured[0] : languages ?? Options.Languages;

        // Ocr:PageTimeout bounds a page's reading, however many runs it takes: each run gets what is left.
        var deadline = Stopwatch.StartNew();
        var allowance = Options.PageTimeout * pages;
        TimeSpan Left() => allowance - deadline.Elapsed;

        var thresholding = Options.Thresholding;
        var tsv = await RunAsync(imagePath, dpi, what, pages, pageRead, first, thresholding, allowance, ct);
        // Grey, noisy paper defeats the global threshold and the page reads as noise ("ao RR de da"), slowly; the
        // local one reads it, but reads clean receipts a little worse (decision 73), so it is the second try.
        // The reading with more words tesseract is sure of is kept: on a few receipts Sauvola reads less.
        if (Options.NoisyPageThresholding is { } noisy && noisy != thresholding && Left() > TimeSpan.Zero
            && OcrLayout.ConfidentShare(tsv, OcrLanguages.MinConfidence) < MinConfidentShare)
        {
            var again = await RunAsync(imagePath, dpi, what, pages, pageRead: null, first, noisy, Left(), ct);
            if (OcrLayout.ConfidentWords(again, OcrLanguages.MinConfidence).Count() > OcrLayout.ConfidentWords(tsv, OcrLanguages.MinConfidence).Count())
            {
                tsv = again;
                thresholding = noisy;
            }
        }

        if (!choose) return new OcrRead(OcrLayout.Read(tsv), first, Chosen: true);
        var chosen = OcrLanguages.Guess([string.Join(' ', OcrLayout.ConfidentWords(tsv, OcrLanguages.MinConfidence))], configured);
        if (chosen is null) return new OcrRead(OcrLayout.Read(tsv), first, Chosen: false);
        if (chosen == first) return new OcrRead(OcrLayout.Read(tsv), chosen, Chosen: true);
        // No time left for the second run: the first reading stands, as for a page that named no language.
        if (Left() <= TimeSpan.Zero) return new OcrRead(OcrLayout.Read(tsv), first, Chosen: false);
        var second = await RunAsync(imagePath, dpi, what, pages, pageRead: null, chosen, thresholding, Left(), ct);
        return new OcrRead(OcrLayout.Read(second), chosen, Chosen: true);
    }

    /// <summary>One tesseract run; its TSV.</summary>
    private async Task<string> RunAsync(
        string imagePath, int? dpi, string what, int pages, Action<int>? pageRead, string languages, int thresholding, TimeSpan timeout,
        CancellationToken ct)
    {
        var arguments = Arguments(imagePath, dpi, languages, thresholding);

        var finished = 0;
        var lineStart = true;
        var pageRow = false;
        var result = await ExternalTool.RunAsync("tesseract", arguments, ct,
            timeout: timeout,
            maxStdoutBytes: (int)Math.Min(ExternalTool.DefaultMaxStdoutBytes, (long)MaxBytesPerPage * pages),
            memoryLimitBytes: Options.MemoryLimitBytes,
            environment: Environment,
            onStdout: chunk =>
            {
                // tesseract writes a page's rows once the page is read, starting with its level-1 row ("1\t...").
                foreach (var b in chunk.Span)
                {
                    if (pageRow && b == (byte)'\t') pageRead?.Invoke(++finished);
                    pageRow = lineStart && b == (byte)'1';
                    lineStart = b == (byte)'\n';
                }
            });

        if (result.ExitCode != 0) throw Failure(result, what, languages);
        return Encoding.UTF8.GetString(result.Stdout);
    }

    /// <summary>The command line of one tesseract run; TSV, not text: word positions, so OcrLayout can keep the page's columns.</summary>
    public IReadOnlyList<string> Arguments(string imagePath, int? dpi, string languages, int thresholding)
    {
        List<string> arguments = [Path.GetFullPath(imagePath), "stdout", "-l", languages,
            "--psm", Options.PageSegmentation.ToString(CultureInfo.InvariantCulture)];
        if (dpi is { } known) arguments.AddRange(["--dpi", known.ToString(CultureInfo.InvariantCulture)]);
        if (thresholding != 0)
            arguments.AddRange(["-c", "thresholding_method=" + thresholding.ToString(CultureInfo.InvariantCulture)]);
        arguments.Add("tsv");
        return arguments;
    }

    private Exception Failure(ToolResult result, string what, string languages)
    {
        if (result.Stderr.Contains("Failed loading language", StringComparison.Ordinal)
            || result.Stderr.Contains("Could not initialize tesseract", StringComparison.Ordinal))
            return new ExternalToolException(
                $"tesseract could not load the language data '{languages}'; install its tesseract-ocr-* packages. {FirstComplaint(result.Stderr)}");
        if (result.RanOutOfMemory)
            return new UnprocessableDocumentException(
                $"OCR of {what} needed more memory than the {Options.MemoryLimitBytes / (1024 * 1024):N0} MB it may use.");
        return new UnprocessableDocumentException($"OCR could not read {what}: {FirstComplaint(result.Stderr)}");
    }

    /// <summary>
    /// The first complaint is the specific one ("libpng error: Read Error"); the lines after it
    /// are the same failure passed up through leptonica's layers.
    /// </summary>
    private static string FirstComplaint(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(line => !line.StartsWith("Estimating resolution", StringComparison.Ordinal)
                                    && !line.StartsWith("Warning", StringComparison.OrdinalIgnoreCase)
                                    && !line.StartsWith("Detected ", StringComparison.Ordinal))
        ?? "it gave no reason";
}

/// <summary>Each page of an image laid out with its words, and the tesseract models (joined with '+') that read it.</summary>
/// <param name="Chosen">The models were given or the words named them; false when the first pass was kept for want of evidence.</param>
public sealed record OcrRead(IReadOnlyList<LaidOutPage> Pages, string Languages, bool Chosen);
