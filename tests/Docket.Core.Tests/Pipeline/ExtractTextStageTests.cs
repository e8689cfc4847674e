using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline;

public sealed class ExtractTextStageTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static async Task<ExtractedText> Extract(DocumentInput input)
    {
        var context = new PipelineContext(input);
        await DefaultPipeline.CreateStages()[0].RunAsync(context, CancellationToken.None);
        return context.Text!;
    }

    [Fact]
    public async Task Extract_ReadsUtf8Text_AsOnePageOfNativeText()
    {
        var text = await Extract(_files.Write("a.txt", "Grüße aus Köln\r\nZweite Zeile"));

        Assert.Equal("Grüße aus Köln\nZweite Zeile", text.Content);
        Assert.Equal([0], text.PageStarts);
        Assert.Equal("native", text.Method);
    }

    [Fact]
    public async Task Extract_DropsTheByteOrderMark_OfUtf8()
    {
        var text = await Extract(_files.Write("a.md", "# Titre élevé", new UTF8Encoding(true)));
        Assert.Equal("# Titre élevé", text.Content);
    }

    [Theory]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    public async Task Extract_ReadsUtf16_WhenTheFileHasAByteOrderMark(string encodingName)
    {
        var encoding = encodingName == "utf-16le" ? new UnicodeEncoding(false, true) : new UnicodeEncoding(true, true);
        var text = await Extract(_files.Write("a.txt", "Facture n° 42 – 15 €", encoding));
        Assert.Equal("Facture n° 42 – 15 €", text.Content);
    }

    [Fact]
    public async Task Extract_FallsBackToWindows1252_WhenBytesAreNotUtf8()
    {
        // "Café – 5 €" in Windows-1252: é = E9, en dash = 96, euro = 80.
        byte[] bytes = [0x43, 0x61, 0x66, 0xE9, 0x20, 0x96, 0x20, 0x35, 0x20, 0x80];
        var text = await Extract(_files.Write("a.txt", bytes));
        Assert.Equal("Café – 5 €", text.Content);
    }

    [Fact]
    public async Task Extract_TruncatesHugeText_InsteadOfFailing()
    {
        var text = await Extract(_files.Write("big.txt", new string('a', TextDecoding.MaxCharacters + 10)));
        Assert.Equal(TextDecoding.MaxCharacters, text.Content.Length);
    }

    [Fact]
    public async Task Extract_RendersCsv_AsHeaderThenOneLinePerRow()
    {
        var csv = "Item,Note,Price\r\n\"Desk, oak\",\"Says \"\"hi\"\"\nand more\",120.00\r\nChair,,45.50\r\n";
        var text = await Extract(_files.Write("a.csv", csv));

        Assert.Equal("Item | Note | Price\nDesk, oak | Says \"hi\" and more | 120.00\nChair |  | 45.50\n", text.Content);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    public async Task Extract_SniffsTheCsvDelimiter_FromTheFirstLine(char delimiter)
    {
        var csv = $"Artikel{delimiter}Preis\nTisch{delimiter}1.240,00\n";
        var text = await Extract(_files.Write("a.csv", csv));
        Assert.Equal("Artikel | Preis\nTisch | 1.240,00\n", text.Content);
    }

    [Fact]
    public async Task Extract_RendersJson_AsOnePathAndValueLinePerScalar()
    {
        var json = """{"title": "Design", "services": [{"name": "user-service", "port": 3001}], "draft": false, "owner": null}""";
        var text = await Extract(_files.Write("a.json", json));

        Assert.Equal("title: Design\nservices[0].name: user-service\nservices[0].port: 3001\ndraft: false\nowner: null\n", text.Content);
    }

    [Fact]
    public async Task Extract_RefusesInvalidJson_WithTheLineAndPosition()
    {
        var input = _files.Write("bad.json", "{\n  \"a\": 1,\n  \"b\": }\n");
        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input));
        Assert.Contains("line 3", error.Message);
        Assert.Contains("position", error.Message);
    }

    [Fact]
    public async Task Extract_RefusesJson_NestedDeeperThan64Levels()
    {
        var json = new string('[', 65) + new string(']', 65);
        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(_files.Write("deep.json", json)));
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public async Task Extract_SaysExtractionIsNotAvailable_ForKindsWithoutAnExtractor()
    {
        var stage = new ExtractTextStage([new PlainTextExtractor()]);
        var context = new PipelineContext(_files.Write("photo.png", [1, 2, 3]));

        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => stage.RunAsync(context, CancellationToken.None).AsTask());
        Assert.Equal("Text extraction for PNG files is not available in this build.", error.Message);
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public async Task TheDefaultPipeline_HasAnExtractor_ForEveryAcceptedKind(FileKind kind)
    {
        try
        {
            await Extract(_files.Write("file." + kind.WireName(), [1, 2, 3]));
        }
        catch (UnprocessableDocumentException ex)
        {
            // Three bytes are no valid PDF, image or DOCX; what matters is who says so.
            Assert.DoesNotContain("not available", ex.Message);
        }
    }

    public static TheoryData<FileKind> EveryKind => new(Enum.GetValues<FileKind>());

    [Fact]
    public async Task Extract_UsesTheFirstExtractorThatTakesTheKind()
    {
        var stage = new ExtractTextStage([new FakePdfExtractor(), new PlainTextExtractor()]);
        var context = new PipelineContext(_files.Write("a.pdf", [0x25, 0x50]));

        await stage.RunAsync(context, CancellationToken.None);

        Assert.Equal("pdf text", context.Text!.Content);
        Assert.Equal("pdftotext", context.Text.Method);
    }

    [Fact]
    public async Task Extract_ReportsProgress_ForLargeInputs()
    {
        var reports = new List<StageProgress>();
        var extractor = new CsvTextExtractor();
        var csv = "a,b\n" + string.Concat(Enumerable.Repeat("x,1.00\n", 200_000));
        await extractor.ExtractAsync(_files.Write("big.csv", csv), new SyncProgress(reports.Add), CancellationToken.None);

        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.InRange(r.Percent, 0, 100));
    }

    private sealed class FakePdfExtractor : ITextExtractor
    {
        public bool CanExtract(FileKind kind) => kind == FileKind.Pdf;

        public ValueTask<ExtractedText> ExtractAsync(DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct) =>
            ValueTask.FromResult(new ExtractedText("pdf text", [0], "pdftotext"));
    }
}
