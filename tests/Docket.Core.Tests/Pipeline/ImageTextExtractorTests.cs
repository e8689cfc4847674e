using System.Diagnostics;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Tests;

namespace Docket.Core.Tests.Pipeline;

/// <summary>Images through the real tesseract (tesseract-ocr with eng, deu and fra).</summary>
public sealed class ImageTextExtractorTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<(ExtractedText Text, List<StageProgress> Progress)> Extract(DocumentInput input, OcrOptions? options = null)
    {
        var progress = new List<StageProgress>();
        var text = await new ImageTextExtractor(options).ExtractAsync(input, new SyncProgress(progress.Add), CancellationToken.None);
        return (text, progress);
    }

    [Fact]
    public async Task Extract_ReadsAPng_WithFrenchAccents_AndKeepsTheAmountBesideItsLabel()
    {
        var (text, progress) = await Extract(TempFiles.Input(OcrFixtures.ReceiptPng));

        Assert.Equal("ocr", text.Method);
        Assert.Equal([0], text.PageStarts);
        Assert.Contains("Boulangerie", text.Content);
        Assert.Contains("Merci et à bientôt", text.Content);
        Assert.Matches(@"TOTAL TTC +21,61", text.Content);
        Assert.Equal([new StageProgress(100, "OCR page 1 of 1")], progress);
    }

    [Fact]
    public async Task Extract_PlacesEveryWordTesseractRead_OnTheImage()
    {
        var (text, _) = await Extract(TempFiles.Input(OcrFixtures.ReceiptPng));

        var geometry = text.Geometry!;
        Assert.Equal("px", Assert.Single(geometry.Pages).Unit);
        var printed = System.Text.RegularExpressions.Regex.Matches(text.Content, @"\S+").Select(m => m.Index).ToList();
        Assert.Equal(printed, geometry.Words.Select(w => w.Start));
        // The total stands below the shop's name, and its amount right of its label.
        var name = geometry.WordsIn(text.Content.IndexOf("Boulangerie", StringComparison.Ordinal), text.Content.Length).First();
        var total = text.Content.IndexOf("TOTAL TTC", StringComparison.Ordinal);
        var label = geometry.WordsIn(total, total + 5).Single();
        var amount = geometry.WordsIn(text.Content.IndexOf("21,61", total, StringComparison.Ordinal), text.Content.Length).First();
        Assert.True(label.Box.Top > name.Box.Bottom);
        Assert.True(amount.Box.Left > label.Box.Right);
    }

    [Fact]
    public async Task Extract_ReadsAJpegPhoto_OfAReceipt()
    {
        var (text, _) = await Extract(TempFiles.Input(OcrFixtures.ReceiptJpeg));

        Assert.Contains("Kanda Books", text.Content);
        Assert.Matches(@"TOTAL +¥4,460", text.Content);
    }

    [Fact]
    public async Task Extract_ReadsEveryPageOfATiff_WithAProgressEventPerPage_AndWherePageTwoStarts()
    {
        var photo = _files.Write("photo.pdf", TestPdf.Build(new TestPdfPage(Jpeg: File.ReadAllBytes(OcrFixtures.ReceiptJpeg))));
        var pages = new[] { await RenderAsync(OcrFixtures.ScannedReceiptPdf), await RenderAsync(photo.FilePath) };
        var input = _files.Write("two-receipts.tiff", TestImages.GreyTiff(pages));

        var (text, progress) = await Extract(input);

        Assert.Equal(2, text.Pages);
        Assert.Equal(["OCR page 1 of 2", "OCR page 2 of 2"], progress.Select(p => p.Message));
        Assert.Equal([50, 100], progress.Select(p => p.Percent));
        var second = text.PageStarts[1];
        Assert.Contains("Seeblick", text.Content[..second]);
        Assert.Contains("Kanda Books", text.Content[second..]);
        Assert.Equal(2, text.PageOf(text.Content.IndexOf("Kanda Books", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Extract_RefusesAPngBomb_FromItsHeader_BeforeTesseractRuns()
    {
        var input = _files.Write("bomb.png", TestImages.BlankPng(65535, 65535));
        // A language tesseract does not have: had it run, this would be a missing-language error.
        var options = new OcrOptions { Languages = "docketnosuchlanguage" };
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input, options));

        Assert.Equal("The image is 65,535 × 65,535 pixels (4294.8 megapixels); Docket reads images of up to 50 megapixels.", ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Extract_RefusesATiffPage_LargerThanTheLimit_NamingThePage()
    {
        var input = _files.Write("pages.tif", TestImages.GreyTiff([Pgm(10, 10), Pgm(200, 100)]));

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input, new OcrOptions { MaxPixels = 10_000 }));

        Assert.StartsWith("The image (page 2) is 200 × 100 pixels", ex.Message);
    }

    [Fact]
    public async Task Extract_FailsCleanly_WhenTesseractRunsOutOfItsMemoryCap()
    {
        // 64 MB of address space is less than tesseract needs for its three language models.
        var options = new OcrOptions { MemoryLimitBytes = 64L * 1024 * 1024 };

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(TempFiles.Input(OcrFixtures.ReceiptPng), options));

        Assert.Equal("OCR of the image needed more memory than the 64 MB it may use.", ex.Message);
    }

    [Fact]
    public async Task Extract_RefusesAPng_ThatTesseractCannotDecode_WithItsReason()
    {
        var png = File.ReadAllBytes(OcrFixtures.ReceiptPng);

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(_files.Write("cut.png", png[..3000])));

        Assert.StartsWith("OCR could not read the image: ", ex.Message);
    }

    [Fact]
    public async Task Extract_KillsTesseract_WhenCancelled()
    {
        // Twenty pages keep tesseract busy for several seconds; the first page's event says it is at work.
        var page = await RenderAsync(OcrFixtures.ScannedReceiptPdf);
        var input = _files.Write("twenty.tiff", TestImages.GreyTiff(Enumerable.Repeat(page, 20).ToList()));
        using var cancel = new CancellationTokenSource();
        var firstPage = new TaskCompletionSource();

        var running = new ImageTextExtractor().ExtractAsync(input, new SyncProgress(_ => firstPage.TrySetResult()), cancel.Token).AsTask();
        await firstPage.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(TesseractRunsOn(input.FilePath), "tesseract is not running");
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        Assert.False(TesseractRunsOn(input.FilePath), "tesseract outlived the cancellation");
    }

    /// <summary>Whether a tesseract process has <paramref name="path"/> on its command line (read from /proc).</summary>
    private static bool TesseractRunsOn(string path)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                if (commandLine.Length > 1 && commandLine[0].EndsWith("tesseract", StringComparison.Ordinal) && commandLine.Contains(path))
                    return true;
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return false;
    }

    /// <summary>Page 1 of a PDF as a greyscale PGM, through the real pdftoppm.</summary>
    private static async Task<byte[]> RenderAsync(string pdf)
    {
        // Without an output root pdftoppm writes the image to stdout.
        var result = await ExternalTool.RunAsync("pdftoppm", ["-gray", "-singlefile", "-r", "150", pdf], CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        return result.Stdout;
    }

    private static byte[] Pgm(int width, int height) =>
        [.. System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"), .. new byte[width * height]];
}
