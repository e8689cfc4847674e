using System.Diagnostics;
using System.IO.Compression;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Docket.Core.Tests.Pipeline;

public sealed class DocxTextExtractorTests : IDisposable
{
    private readonly TempFiles _files = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("docket-docx-tests-").FullName;

    public void Dispose()
    {
        _files.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Through the default pipeline's extract stage, so the registration is tested too.</summary>
    private static async Task<ExtractedText> Extract(DocumentInput input)
    {
        var context = new PipelineContext(input);
        await Docket.Core.Pipeline.Stages.DefaultPipeline.CreateStages()[0].RunAsync(context, CancellationToken.None);
        return context.Text!;
    }

    private static Paragraph Para(params OpenXmlElement[] runChildren) => new(new Run(runChildren));

    private static TableRow Row(params string[] cells) =>
        new(cells.Select(c => new TableCell(new Paragraph(new Run(new Text(c))))));

    /// <summary>Builds a real .docx with the SDK, as Word would save it.</summary>
    private DocumentInput BuildDocx(string name, params OpenXmlElement[] blocks)
    {
        var path = Path.Combine(_folder, name);
        using (var word = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Document(new Body(blocks));
            main.Document.Save();
        }
        return TempFiles.Input(path);
    }

    private DocumentInput BuildZip(string name, Action<ZipArchive> fill)
    {
        var path = Path.Combine(_folder, name);
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create)) fill(archive);
        return TempFiles.Input(path);
    }

    [Fact]
    public async Task Extract_ReadsParagraphsAndTableRows_InDocumentOrder()
    {
        var input = BuildDocx("invoice.docx",
            Para(new Text("INVOICE")),
            new Paragraph(new Run(new Text("Invoice No.")), new Run(new TabChar()), new Run(new Text("INV-2024-001"))),
            new Table(
                Row("Item", "Qty", "Amount"),
                Row("Consulting", "2", "1,200.00"),
                Row("Travel", "1", "340.50")),
            Para(new Text("Total"), new Break(), new Text("1,540.50")));

        var text = await Extract(input);

        Assert.Equal(
            "INVOICE\nInvoice No.\tINV-2024-001\nItem | Qty | Amount\nConsulting | 2 | 1,200.00\nTravel | 1 | 340.50\nTotal\n1,540.50",
            text.Content);
        Assert.Equal([0], text.PageStarts);
        Assert.Equal(DocxTextExtractor.Method, text.Method);
    }

    [Fact]
    public async Task Extract_ConcatenatesRuns_AndKeepsSpacesThatWordPreserves()
    {
        var input = BuildDocx("runs.docx",
            new Paragraph(
                new Run(new Text("Blue ") { Space = SpaceProcessingModeValues.Preserve }),
                new Run(new RunProperties(new Bold()), new Text("Heron")),
                new Run(new Text(" Analytics") { Space = SpaceProcessingModeValues.Preserve })));

        Assert.Equal("Blue Heron Analytics", (await Extract(input)).Content);
    }

    [Fact]
    public async Task Extract_KeepsACellWithTwoParagraphs_OnItsRowsLine()
    {
        var input = BuildDocx("cells.docx",
            new Table(new TableRow(
                new TableCell(new Paragraph(new Run(new Text("Line one"))), new Paragraph(new Run(new Text("line two")))),
                new TableCell(new Paragraph(new Run(new Text("9.99")))))));

        Assert.Equal("Line one line two | 9.99", (await Extract(input)).Content);
    }

    [Fact]
    public async Task Extract_RefusesAZipWithoutWordDocumentXml()
    {
        var input = BuildZip("empty.docx", a =>
        {
            using var w = new StreamWriter(a.CreateEntry("readme.txt").Open());
            w.Write("not a word document");
        });

        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input));
        Assert.StartsWith("The DOCX is damaged or not a Word document: ", error.Message);
    }

    [Fact]
    public async Task Extract_RefusesRandomBytes()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        // Start like a zip so the bytes look like what the sniffer would call a DOCX.
        "PK\x03\x04"u8.CopyTo(bytes);

        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(_files.Write("random.docx", bytes)));
        Assert.StartsWith("The DOCX is damaged or not a Word document: ", error.Message);
    }

    [Fact]
    public async Task Extract_RefusesAZipBomb_QuicklyWithoutInflatingIt()
    {
        var input = BuildZip("bomb.docx", a =>
        {
            using var s = a.CreateEntry("word/document.xml", CompressionLevel.Optimal).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 50; i++) s.Write(zeros);
        });
        Assert.True(input.SizeBytes < 1024 * 1024, $"the bomb is {input.SizeBytes} bytes");

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input));

        Assert.Contains("zip bomb", error.Message);
        // Inflating 50 MB would take far longer than reading the central directory does.
        Assert.True(watch.ElapsedMilliseconds < 1000, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Extract_RefusesAnArchive_LargerUnpackedThanTheLimit()
    {
        var input = BuildDocx("big.docx", Para(new Text(new string('x', 4096))));
        var extractor = new DocxTextExtractor(maxUncompressedBytes: 1024);

        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(
            () => extractor.ExtractAsync(input, new Progress<StageProgress>(), CancellationToken.None).AsTask());
        Assert.Contains("would unpack to more than 1,024 bytes", error.Message);
    }

    [Fact]
    public async Task Extract_RefusesADocx_ThatUnderstatesAnEntrysSize()
    {
        // The guard trusts the declared sizes; this checks that lying about them gains nothing:
        // the entry is cut at its declared length and the truncated XML is refused as damage.
        var input = BuildDocx("liar.docx", Para(new Text(new string('x', 200_000))));
        var bytes = File.ReadAllBytes(input.FilePath);
        var name = "word/document.xml"u8.ToArray();
        var patched = 0;
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            // Local header (PK 3 4): size at 22, name at 30. Central header (PK 1 2): size at 24, name at 46.
            if (bytes[i] != 0x50 || bytes[i + 1] != 0x4B) continue;
            var (sizeAt, nameAt) = (bytes[i + 2], bytes[i + 3]) switch { (3, 4) => (22, 30), (1, 2) => (24, 46), _ => (-1, -1) };
            if (sizeAt < 0 || !bytes.AsSpan(i + nameAt).StartsWith(name)) continue;
            BitConverter.GetBytes(100u).CopyTo(bytes, i + sizeAt);
            patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(input.FilePath, bytes);

        var error = await Assert.ThrowsAsync<UnprocessableDocumentException>(() => Extract(input));
        Assert.StartsWith("The DOCX is damaged or not a Word document: ", error.Message);
    }
}
