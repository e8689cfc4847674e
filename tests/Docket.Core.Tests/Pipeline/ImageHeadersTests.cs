using System.Buffers.Binary;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Tests;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline;

public sealed class ImageHeadersTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static IReadOnlyList<ImageSize> Read(DocumentInput input, int maxPages = 10) =>
        ImageHeaders.Read(input.FilePath, input.Kind, maxPages);

    [Fact]
    public void Read_GivesTheSizeOfAPng()
    {
        Assert.Equal([new ImageSize(473, 650)], ImageHeaders.Read(OcrFixtures.ReceiptPng, FileKind.Png, 10));
    }

    [Fact]
    public void Read_GivesTheSizeOfAJpeg_FromItsFrameHeader()
    {
        Assert.Equal([new ImageSize(868, 1061)], ImageHeaders.Read(OcrFixtures.ReceiptJpeg, FileKind.Jpeg, 10));
    }

    [Fact]
    public void Read_GivesTheSizeOfEveryPage_OfATiff()
    {
        var tiff = TestImages.GreyTiff([Pgm(3, 2), Pgm(5, 7), Pgm(1, 1)]);

        Assert.Equal([new(3, 2), new(5, 7), new(1, 1)], Read(_files.Write("pages.tiff", tiff)));
    }

    [Fact]
    public void Read_OfAPngBomb_GivesItsSize_WithoutReadingPastTheHeader()
    {
        var bomb = TestImages.BlankPng(65535, 65535);

        Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes");
        Assert.Equal([new ImageSize(65535, 65535)], Read(_files.Write("bomb.png", bomb)));
    }

    [Fact]
    public void Read_RefusesATiff_WhosePageListLoops()
    {
        var tiff = TestImages.GreyTiff([Pgm(3, 2)]);
        // Point the first page's "next page" field back at the first page.
        var firstIfd = BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan((int)firstIfd));
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan((int)firstIfd + 2 + entries * 12), firstIfd);

        var ex = Assert.Throws<UnprocessableDocumentException>(() => Read(_files.Write("loop.tif", tiff)));
        Assert.Equal("The TIFF image is damaged: its page list loops back on itself.", ex.Message);
    }

    [Fact]
    public void Read_RefusesATiff_WithMorePagesThanAllowed()
    {
        var tiff = TestImages.GreyTiff([Pgm(1, 1), Pgm(1, 1), Pgm(1, 1)]);

        var ex = Assert.Throws<UnprocessableDocumentException>(() => Read(_files.Write("many.tif", tiff), maxPages: 2));
        Assert.Equal("The TIFF has more than 2 pages, the most Docket reads.", ex.Message);
    }

    [Theory]
    [InlineData("cut.png", 20, "The PNG image is damaged: its header ends early.")]
    [InlineData("cut.jpg", 4, "The JPG image is damaged: its header ends early.")]
    [InlineData("cut.tif", 6, "The TIFF image is damaged: its header ends early.")]
    public void Read_RefusesAHeaderThatEndsEarly(string fileName, int keptBytes, string message)
    {
        var source = Path.GetExtension(fileName) switch
        {
            ".png" => File.ReadAllBytes(OcrFixtures.ReceiptPng),
            ".jpg" => File.ReadAllBytes(OcrFixtures.ReceiptJpeg),
            _ => TestImages.GreyTiff([Pgm(3, 2)]),
        };

        var ex = Assert.Throws<UnprocessableDocumentException>(() => Read(_files.Write(fileName, source[..keptBytes])));
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Read_RefusesAJpeg_WithoutAFrameHeader()
    {
        // SOI, an APP0 segment, then end of image.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9];

        var ex = Assert.Throws<UnprocessableDocumentException>(() => Read(_files.Write("empty.jpg", jpeg)));
        Assert.Equal("The JPG image is damaged: it has no frame header.", ex.Message);
    }

    [Fact]
    public void Read_RefusesAPng_WhoseFirstChunkIsNotTheHeader()
    {
        var png = File.ReadAllBytes(OcrFixtures.ReceiptPng);
        "IDAT"u8.CopyTo(png.AsSpan(12));

        var ex = Assert.Throws<UnprocessableDocumentException>(() => Read(_files.Write("odd.png", png)));
        Assert.Equal("The PNG image is damaged: it does not start with an IHDR chunk.", ex.Message);
    }

    private static byte[] Pgm(int width, int height) =>
        [.. System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"), .. new byte[width * height]];
}
