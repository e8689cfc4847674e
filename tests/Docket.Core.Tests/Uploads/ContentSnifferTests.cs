using System.Text;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Uploads;

public class ContentSnifferTests
{
    private static readonly byte[] Pdf = [.. "%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n"u8];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01];
    private static readonly byte[] TiffLittleEndian = [0x49, 0x49, 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00];
    private static readonly byte[] TiffBigEndian = [0x4D, 0x4D, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08];
    private static readonly byte[] Zip = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00];
    private static readonly byte[] Html = [.. "<!DOCTYPE html><html><body>hi</body></html>"u8];

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static FileKind AssertAccepted(SniffResult result)
    {
        var accepted = Assert.IsType<SniffResult.Accepted>(result);
        return accepted.Kind;
    }

    private static SniffResult.Refused AssertRefused(SniffResult result, string code)
    {
        var refused = Assert.IsType<SniffResult.Refused>(result);
        Assert.Equal(code, refused.Code);
        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
        return refused;
    }

    public static TheoryData<string, byte[], FileKind> BinaryFiles() => new()
    {
        { "scan.pdf", Pdf, FileKind.Pdf },
        { "chart.png", Png, FileKind.Png },
        { "photo.jpg", Jpeg, FileKind.Jpeg },
        { "photo.jpeg", Jpeg, FileKind.Jpeg },
        { "fax.tif", TiffLittleEndian, FileKind.Tiff },
        { "fax.tiff", TiffLittleEndian, FileKind.Tiff },
        { "fax-motorola.tiff", TiffBigEndian, FileKind.Tiff },
        { "letter.docx", Zip, FileKind.Docx },
    };

    [Theory]
    [MemberData(nameof(BinaryFiles))]
    public void Sniff_AcceptsBinaryFile_WhenItsMagicBytesMatchItsExtension(string name, byte[] head, FileKind kind)
    {
        Assert.Equal(kind, AssertAccepted(ContentSniffer.Sniff(name, head)));
    }

    [Theory]
    [InlineData("notes.txt", "Hello, world.\nSecond line.", FileKind.Text)]
    [InlineData("notes.text", "Plain text", FileKind.Text)]
    [InlineData("readme.md", "# Title\n\nSome *markdown*.", FileKind.Markdown)]
    [InlineData("readme.markdown", "- item", FileKind.Markdown)]
    [InlineData("table.csv", "a,b,c\n1,2,3\n", FileKind.Csv)]
    [InlineData("data.json", "{\"a\": 1}", FileKind.Json)]
    [InlineData("list.json", "[1, 2, 3]", FileKind.Json)]
    [InlineData("padded.json", " \t\r\n  {\"a\": 1}", FileKind.Json)]
    [InlineData("umlauts.txt", "Grüße aus Köln — 10 €", FileKind.Text)]
    public void Sniff_AcceptsTextFile_WhenItsContentIsText(string name, string content, FileKind kind)
    {
        Assert.Equal(kind, AssertAccepted(ContentSniffer.Sniff(name, Utf8(content))));
    }

    [Fact]
    public void Sniff_AcceptsJson_WhenItStartsWithAByteOrderMarkAndWhitespace()
    {
        byte[] head = [0xEF, 0xBB, 0xBF, .. "\n  [{\"a\": 1}]"u8];
        Assert.Equal(FileKind.Json, AssertAccepted(ContentSniffer.Sniff("data.json", head)));
    }

    [Fact]
    public void Sniff_AcceptsAnEmptyTextFile()
    {
        Assert.Equal(FileKind.Text, AssertAccepted(ContentSniffer.Sniff("empty.txt", [])));
    }

    [Theory]
    [InlineData("\"just a string\"")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("hello {\"a\": 1}")]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void Sniff_RefusesJson_WhenItDoesNotStartWithAnObjectOrArray(string content)
    {
        AssertRefused(ContentSniffer.Sniff("data.json", Utf8(content)), "type_mismatch");
    }

    [Fact]
    public void Sniff_RefusesJson_WhenOnlyAByteOrderMarkPrecedesText()
    {
        byte[] head = [0xEF, 0xBB, 0xBF, .. "null"u8];
        AssertRefused(ContentSniffer.Sniff("data.json", head), "type_mismatch");
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("readme.md")]
    [InlineData("table.csv")]
    [InlineData("data.json")]
    public void Sniff_RefusesTextFile_WhenItContainsNulBytes(string name)
    {
        byte[] head = [.. "{\"looks\": \"like text\""u8, 0x00, .. "then binary"u8];
        AssertRefused(ContentSniffer.Sniff(name, head), "type_mismatch");
    }

    [Fact]
    public void Sniff_RefusesUtf16Text_BecauseItsNulBytesLookBinary()
    {
        byte[] head = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("hello")];
        AssertRefused(ContentSniffer.Sniff("notes.txt", head), "type_mismatch");
    }

    [Fact]
    public void Sniff_RefusesPdfContent_WhenNamedTxt()
    {
        var refused = AssertRefused(ContentSniffer.Sniff("invoice.txt", Pdf), "type_mismatch");
        Assert.Contains("PDF", refused.Message);
    }

    [Theory]
    [MemberData(nameof(BinaryFiles))]
    public void Sniff_RefusesBinaryContent_WhenNamedAsAnyTextKind(string name, byte[] head, FileKind kind)
    {
        _ = name;
        _ = kind;
        foreach (var textName in new[] { "a.txt", "a.md", "a.csv", "a.json" })
            AssertRefused(ContentSniffer.Sniff(textName, head), "type_mismatch");
    }

    [Fact]
    public void Sniff_RefusesHtmlContent_WhenNamedPdf()
    {
        var refused = AssertRefused(ContentSniffer.Sniff("invoice.pdf", Html), "type_mismatch");
        Assert.Contains("invoice.pdf", refused.Message);
    }

    [Theory]
    [InlineData("photo.png", "jpeg")]
    [InlineData("photo.jpg", "png")]
    [InlineData("scan.pdf", "png")]
    [InlineData("letter.docx", "pdf")]
    [InlineData("fax.tiff", "zip")]
    public void Sniff_RefusesBinaryFile_WhenItsMagicBytesBelongToAnotherKind(string name, string actual)
    {
        var head = actual switch
        {
            "jpeg" => Jpeg,
            "png" => Png,
            "pdf" => Pdf,
            "zip" => Zip,
            _ => throw new ArgumentOutOfRangeException(nameof(actual)),
        };
        AssertRefused(ContentSniffer.Sniff(name, head), "type_mismatch");
    }

    [Theory]
    [InlineData("scan.pdf")]
    [InlineData("photo.png")]
    [InlineData("photo.jpg")]
    [InlineData("fax.tiff")]
    [InlineData("letter.docx")]
    public void Sniff_RefusesBinaryFile_WhenItIsEmptyOrTooShortForItsMagic(string name)
    {
        AssertRefused(ContentSniffer.Sniff(name, []), "type_mismatch");
        AssertRefused(ContentSniffer.Sniff(name, [0x25, 0x50]), "type_mismatch");
    }

    [Theory]
    [InlineData("script.exe")]
    [InlineData("page.html")]
    [InlineData("archive.zip")]
    [InlineData("legacy.doc")]
    [InlineData("image.gif")]
    [InlineData("notes.txt.exe")]
    public void Sniff_RefusesUnknownExtension_WithUnsupportedType(string name)
    {
        var refused = AssertRefused(ContentSniffer.Sniff(name, Pdf), "unsupported_type");
        Assert.Contains(Path.GetExtension(name), refused.Message);
        Assert.Contains("pdf", refused.Message);
    }

    [Theory]
    [InlineData("README")]
    [InlineData("invoice.")]
    [InlineData("")]
    public void Sniff_RefusesFileName_WithoutAnExtension(string name)
    {
        var refused = AssertRefused(ContentSniffer.Sniff(name, Utf8("hello")), "unsupported_type");
        Assert.Contains("no extension", refused.Message);
    }

    [Theory]
    [InlineData("SCAN.PDF", FileKind.Pdf)]
    [InlineData("Scan.Pdf", FileKind.Pdf)]
    [InlineData("PHOTO.JPG", FileKind.Jpeg)]
    [InlineData("Chart.PNG", FileKind.Png)]
    [InlineData("LETTER.DOCX", FileKind.Docx)]
    [InlineData("NOTES.TXT", FileKind.Text)]
    [InlineData("DATA.JSON", FileKind.Json)]
    public void Sniff_MatchesExtensionsCaseInsensitively(string name, FileKind kind)
    {
        var head = kind switch
        {
            FileKind.Pdf => Pdf,
            FileKind.Jpeg => Jpeg,
            FileKind.Png => Png,
            FileKind.Docx => Zip,
            FileKind.Json => Utf8("{}"),
            _ => Utf8("plain text"),
        };
        Assert.Equal(kind, AssertAccepted(ContentSniffer.Sniff(name, head)));
    }

    [Fact]
    public void Sniff_RefusesPdfContent_WhenNamedUpperCaseTxt()
    {
        AssertRefused(ContentSniffer.Sniff("INVOICE.TXT", Pdf), "type_mismatch");
    }

    [Fact]
    public void Sniff_LooksOnlyAtTheLastExtension()
    {
        Assert.Equal(FileKind.Pdf, AssertAccepted(ContentSniffer.Sniff("report.txt.pdf", Pdf)));
        AssertRefused(ContentSniffer.Sniff("report.pdf.txt", Pdf), "type_mismatch");
    }
}
