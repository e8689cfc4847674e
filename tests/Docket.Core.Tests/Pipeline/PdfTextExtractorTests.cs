using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class PdfTextExtractorTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Sample(string name) => SharedSamples.PathTo("invoices", "synthetic", name);

    private static async Task<ExtractedText> Extract(DocumentInput input)
    {
        var context = new PipelineContext(input);
        await Docket.Core.Pipeline.Stages.DefaultPipeline.CreateStages()[0].RunAsync(context, CancellationToken.None);
        return context.Text!;
    }

    [Fact]
    public async Task Extract_ReadsTheTextLayer_OfAOnePagePdf()
    {
        var text = await Extract(TempFiles.Input(Sample("doc-01.pdf")));

        Assert.StartsWith("MASTER SERVICES AGREEMENT\n", text.Content);
        Assert.Contains("Blue Heron Analytics LLC, a California limited liability company", text.Content);
        Assert.Contains("This Agreement is governed by the laws of the State of California.", text.Content);
        Assert.Equal([0], text.PageStarts);
        Assert.Equal("pdftotext", text.Method);
        Assert.DoesNotContain('\f', text.Content);
        Assert.DoesNotContain('\r', text.Content);
    }

    [Fact]
    public async Task Extract_KeepsTheLayoutColumns_OfAnInvoice()
    {
        var text = await Extract(TempFiles.Input(Sample("syn-01.pdf")));

        Assert.Matches(@"Invoice No\. +BHA-2023-0944", text.Content);
        Assert.Matches(@"Cloud cost audit \(fixed fee\) +2 +2,170\.00 +4,340\.00", text.Content);
        Assert.Single(text.PageStarts);
    }

    [Fact]
    public async Task Extract_PlacesEveryWordOfTheTextLayer_OnItsPage()
    {
        var text = await Extract(TempFiles.Input(Sample("syn-12.pdf")));

        var geometry = text.Geometry!;
        Assert.All(geometry.Pages, size => Assert.Equal("pt", size.Unit));
        var printed = System.Text.RegularExpressions.Regex.Matches(text.Content, @"\S+").Select(m => m.Index).ToList();
        Assert.Equal(printed, geometry.Words.Select(w => w.Start));
        Assert.All(geometry.Words, w => Assert.Equal(text.PageOf(w.Start), w.Page));
        Assert.All(geometry.Words, w => Assert.True(w.Box is { Left: >= 0, Top: >= 0, Right: <= 1, Bottom: <= 1 } && w.Box.Width > 0 && w.Box.Height > 0, $"{w}"));

        // Words of one printed line stand on one line of the page, left to right.
        var line = text.Content.IndexOf("Retractable banner stand", StringComparison.Ordinal);
        var onLine = geometry.WordsIn(line, text.Content.IndexOf('\n', line)).ToList();
        Assert.True(onLine.Count >= 4);
        Assert.All(onLine, w => Assert.Equal(onLine[0].Box.Top, w.Box.Top, 2));
        Assert.Equal(onLine.OrderBy(w => w.Box.Left), onLine);
    }

    [Fact]
    public async Task Extract_RecordsWherePageTwoStarts_OfATwoPagePdf()
    {
        var progress = new List<StageProgress>();
        var text = await new PdfTextExtractor().ExtractAsync(TempFiles.Input(Sample("syn-12.pdf")), new SyncProgress(progress.Add), CancellationToken.None);

        Assert.Equal(2, text.Pages);
        Assert.Equal(0, text.PageStarts[0]);
        var second = text.PageStarts[1];
        Assert.Equal('\n', text.Content[second - 1]);
        Assert.StartsWith("Copperline Print & Sign Co.", text.Content[second..]);
        Assert.Contains("Page 1 of 2", text.Content[..second]);
        // This line item is only on page 2.
        var onPageTwo = text.Content.IndexOf("Retractable banner stand                1", StringComparison.Ordinal);
        Assert.True(onPageTwo > second, $"found at {onPageTwo}, page 2 starts at {second}");
        Assert.Equal(2, text.PageOf(onPageTwo));
        Assert.Equal(["Read page 1 of 2", "Read page 2 of 2"], progress.Select(p => p.Message));
        Assert.Equal(100, progress[^1].Percent);
    }

    [Fact]
    public async Task Extract_ReadsAScannedPdf_WithOcr_AndAProgressEventForThePage()
    {
        var work = _files.Folder("ocr-work");
        var progress = new List<StageProgress>();
        var text = await new PdfTextExtractor(new OcrOptions { WorkDirectory = work })
            .ExtractAsync(TempFiles.Input(OcrFixtures.ScannedReceiptPdf), new SyncProgress(progress.Add), CancellationToken.None);

        Assert.Equal("ocr", text.Method);
        Assert.Equal([0], text.PageStarts);
        Assert.Contains("Café Seeblick", text.Content);
        Assert.Matches(@"Total CHF +25\.23", text.Content);
        Assert.Equal([new StageProgress(100, "OCR page 1 of 1")], progress);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task Extract_OcrsOnlyThePagesWithoutText_AndKeepsEachPageWhereItWas()
    {
        var letter = Enumerable.Repeat("This first page has a proper text layer, and it is read as it is written.", 5).ToList();
        var pdf = TestPdf.Build(
            new TestPdfPage(Text: letter),
            new TestPdfPage(Jpeg: await File.ReadAllBytesAsync(OcrFixtures.ReceiptJpeg)));
        var progress = new List<StageProgress>();

        var text = await new PdfTextExtractor().ExtractAsync(_files.Write("mixed.pdf", pdf), new SyncProgress(progress.Add), CancellationToken.None);

        Assert.Equal("pdftotext+ocr", text.Method);
        Assert.Equal(2, text.Pages);
        var second = text.PageStarts[1];
        Assert.StartsWith("This first page has a proper text layer", text.Content);
        Assert.DoesNotContain("Kanda", text.Content[..second]);
        Assert.Equal(2, text.PageOf(text.Content.IndexOf("Kanda Books", StringComparison.Ordinal)));
        Assert.Equal([new StageProgress(100, "OCR page 2 of 2")], progress);
    }

    [Fact]
    public async Task Extract_ReplacesAGarbageTextLayer_WithOcr()
    {
        // A scan whose invisible text layer was written in a font without a Unicode map.
        var garbage = Enumerable.Repeat("Kanda Books and Stationery receipt with a total of 4460 yen", 6).ToList();
        var pdf = TestPdf.Build(new TestPdfPage(Jpeg: await File.ReadAllBytesAsync(OcrFixtures.ReceiptJpeg), Text: garbage, InvisibleText: true, UnmappedFont: true));
        var input = _files.Write("garbage-layer.pdf", pdf);
        var layer = await ExternalTool.RunAsync("pdftotext", [input.FilePath, "-"], CancellationToken.None);
        // The layer is there, but poppler can only print the fonts' raw codes.
        Assert.Contains(System.Text.Encoding.UTF8.GetString(layer.Stdout), c => char.IsControl(c) && c is not '\n' and not '\f');

        var text = await Extract(input);

        Assert.Equal("ocr", text.Method);
        Assert.Matches(@"TOTAL +¥4,460", text.Content);
        Assert.DoesNotContain(text.Content, c => char.IsControl(c) && c != '\n');
    }

    [Fact]
    public async Task Extract_TrustsAReadableInvisibleLayer_OverAScan_WithoutRunningOcr()
    {
        // A searchable scan: the scanner already put the words under the image.
        var words = Enumerable.Repeat("Kanda Books and Stationery receipt with a total of 4460 yen, paid in cash.", 6).ToList();
        var pdf = TestPdf.Build(new TestPdfPage(Jpeg: await File.ReadAllBytesAsync(OcrFixtures.ReceiptJpeg), Text: words, InvisibleText: true));
        var progress = new List<StageProgress>();

        var text = await new PdfTextExtractor().ExtractAsync(_files.Write("searchable.pdf", pdf), new SyncProgress(progress.Add), CancellationToken.None);

        Assert.Equal("pdftotext", text.Method);
        Assert.StartsWith("Kanda Books and Stationery receipt with a total of 4460 yen, paid in cash.", text.Content);
        Assert.Empty(progress);
    }

    [Fact]
    public async Task Extract_RefusesAPasswordProtectedPdf_Permanently()
    {
        var pdf = TestPdf.Build([new TestPdfPage(Text: ["Secret numbers"])], protectedByUnknownPassword: true);

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(_files.Write("locked.pdf", pdf)));
        Assert.Equal("The PDF is password-protected.", ex.Message);
    }

    [Fact]
    public async Task Extract_RemovesTheRenderedPages_WhenOcrFails()
    {
        var work = _files.Folder("ocr-work");
        // Too little memory for tesseract: the page is rendered, then OCR fails.
        var options = new OcrOptions { WorkDirectory = work, MemoryLimitBytes = 64L * 1024 * 1024 };

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() =>
            new PdfTextExtractor(options).ExtractAsync(TempFiles.Input(OcrFixtures.ScannedReceiptPdf), new SyncProgress(_ => { }), CancellationToken.None).AsTask());

        Assert.Contains("more memory than the 64 MB", ex.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task Extract_RefusesAScannedPdf_WithMorePagesThanOcrReads()
    {
        var page = new TestPdfPage(Jpeg: await File.ReadAllBytesAsync(OcrFixtures.ReceiptJpeg));
        var input = _files.Write("long-scan.pdf", TestPdf.Build(page, page, page));

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() =>
            new PdfTextExtractor(new OcrOptions { MaxPages = 2 }).ExtractAsync(input, new SyncProgress(_ => { }), CancellationToken.None).AsTask());
        Assert.Equal("The PDF has 3 pages without a usable text layer; OCR reads at most 2.", ex.Message);
    }

    [Fact]
    public async Task Extract_RefusesACorruptPdf_NamingWhatTheReaderSaid()
    {
        var input = _files.Write("broken.pdf", "%PDF-1.7\n\u0001\u0002 garbage that is no PDF at all ]]>>"u8.ToArray());

        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input));
        Assert.StartsWith("The PDF is damaged or not a PDF: ", ex.Message);
        Assert.DoesNotContain("Syntax Error", ex.Message);
        Assert.True(ex.Message.Length > "The PDF is damaged or not a PDF: ".Length + 5, ex.Message);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(1000)]
    [InlineData(2000)]
    [InlineData(2720)]
    public async Task Extract_OfATruncatedPdf_RefusesItOrReturnsText_ButNeverCrashes(int keptBytes)
    {
        var whole = await File.ReadAllBytesAsync(Sample("doc-01.pdf"));
        var input = _files.Write("truncated.pdf", whole[..keptBytes]);

        try
        {
            var text = await Extract(input);
            Assert.False(string.IsNullOrWhiteSpace(text.Content));
            Assert.Equal(0, text.PageStarts[0]);
        }
        catch (UnprocessableDocumentException ex)
        {
            Assert.StartsWith("The PDF ", ex.Message);
        }
    }

    [Fact]
    public void Split_DropsFormFeeds_AndJoinsPagesWithANewline()
    {
        var text = PdfTextExtractor.Split("one\r\n\fpage two\n\f\f");

        Assert.Equal("one\n\npage two\n\n", text.Content);
        Assert.Equal([0, 5, 15], text.PageStarts);
    }

    [Theory]
    [InlineData("")]
    [InlineData("one page, no form feed")]
    [InlineData("one\r\n\fpage two\n\f\f")]
    [InlineData("Größe: 3 × 4 €\r\fZweite Seite\r\nmit Umlauten äöü\f")]
    [InlineData("\f\f\f")]
    public void StreamedPages_GivesThePagesOfSplit_HoweverTheOutputArrivesInPieces(string output)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(output).Concat(new byte[] { 0xC3 }).ToArray(); // ends in half a character
        var expected = PdfTextExtractor.SplitPages(System.Text.Encoding.UTF8.GetString(bytes));

        foreach (var pieceLength in new[] { 1, 2, 3, 7, bytes.Length })
        {
            var pages = new StreamedPages();
            for (var at = 0; at < bytes.Length; at += pieceLength)
                pages.Add(bytes.AsSpan(at, Math.Min(pieceLength, bytes.Length - at)));
            pages.Finish();

            Assert.Equal(expected, pages.Pages);
            Assert.Equal(expected.Select(TextLayerCheck.Assess), pages.Layers);
        }
    }

    [Fact]
    public void Split_CountsAPage_ForEveryFormFeed_EmptyPagesIncluded()
    {
        var text = PdfTextExtractor.Split("only page\n\f\f\f");

        Assert.Equal(3, text.Pages);
        Assert.Equal("only page\n\n\n", text.Content);
        Assert.Equal([0, 11, 12], text.PageStarts);
    }

    [Fact]
    public async Task Extract_CountsEveryPage_OfAPdfWithBlankPages_AsPdfinfoDoes()
    {
        // pdftotext prints a form feed for a page without any text too, so its pages are the document's.
        var pdf = TestPdf.Build(
            new TestPdfPage(Text: ["First page of the agreement between the parties named below, signed in full."]),
            new TestPdfPage(Text: []),
            new TestPdfPage(Text: ["Third page: the schedule of fees and the terms of payment for all the services."]));

        var text = await new PdfTextExtractor().ExtractAsync(_files.Write("blank-middle.pdf", pdf), new SyncProgress(_ => { }), CancellationToken.None);

        Assert.Equal(3, text.Pages);
        Assert.StartsWith("Third page", text.Content[text.PageStarts[2]..].TrimStart());
    }

    [Fact]
    public async Task Extract_OfALongPdf_ReadInPageRanges_GivesWhatOnePdftotextGives()
    {
        // Long enough to be read in ranges on a machine with two cores or more, with a blank page where
        // the first range ends and a page of text after it, so a range boundary falls between them.
        var pages = Enumerable.Range(1, 45).Select(n => n == 23
            ? new TestPdfPage(Text: [])
            : new TestPdfPage(Text: [.. Enumerable.Range(1, 40).Select(line => $"Page {n}, line {line}: the supplier delivers the goods listed in the order and sends the invoice after delivery.")]))
            .ToArray();
        var input = _files.Write("long.pdf", TestPdf.Build(pages));
        Assert.True(input.SizeBytes >= PdfTextExtractor.SplitFromBytes, $"the test PDF has {input.SizeBytes} bytes");
        var whole = await ExternalTool.RunAsync("pdftotext", ["-layout", "-enc", "UTF-8", input.FilePath, "-"], CancellationToken.None);
        var expected = PdfTextExtractor.Split(System.Text.Encoding.UTF8.GetString(whole.Stdout));

        var text = await new PdfTextExtractor().ExtractAsync(input, new SyncProgress(_ => { }), CancellationToken.None);

        Assert.Equal(45, text.Pages);
        Assert.Equal(expected.Content, text.Content);
        Assert.Equal(expected.PageStarts, text.PageStarts);
        Assert.Equal("pdftotext", text.Method);
        Assert.StartsWith("Page 24, line 1:", text.Content[text.PageStarts[23]..].TrimStart());
    }

    [Theory]
    [InlineData(45, 2, new[] { 1, 23, 24, 45 })]
    [InlineData(100, 4, new[] { 1, 25, 26, 50, 51, 75, 76, 100 })]
    [InlineData(31, 4, new[] { 1, 11, 12, 21, 22, 31 })] // three ranges of at least ten pages, not four
    [InlineData(20, 2, new[] { 1, 10, 11, 20 })]
    public void PlanRanges_CoversEveryPageOnce_InRangesOfAtLeastTenPages(int pageCount, int processes, int[] bounds)
    {
        var ranges = PdfTextExtractor.PlanRanges(pageCount, processes)!;

        Assert.Equal(bounds, ranges.SelectMany(r => new[] { r.First, r.Last }));
    }

    [Theory]
    [InlineData(19, 2)]
    [InlineData(100, 1)]
    [InlineData(0, 4)]
    public void PlanRanges_ReadsAShortPdf_OrOneOnOneCore_Whole(int pageCount, int processes) =>
        Assert.Null(PdfTextExtractor.PlanRanges(pageCount, processes));
}
