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
    public async Task Extract_RefusesAScannedPdf_BecauseOcrIsNotAvailableYet()
    {
        var ex = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(TempFiles.Input(Sample("syn-26.pdf"))));
        Assert.Equal("The PDF has no text layer; OCR is not available in this build yet.", ex.Message);
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

    [Fact]
    public void Split_AddsEmptyPages_WhenPdfinfoCountsMoreThanPdftotextPrinted()
    {
        var text = PdfTextExtractor.Split("only page\n\f", pageCount: 3);

        Assert.Equal(3, text.Pages);
        Assert.Equal("only page\n\n\n", text.Content);
        Assert.Equal([0, 11, 12], text.PageStarts);
    }

    /// <summary>Reports on the calling thread; <see cref="Progress{T}"/> would post to the thread pool and race the asserts.</summary>
    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
