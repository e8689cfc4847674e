using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Docket.Core.Tests.Pipeline;

/// <summary>The OCR fixtures in tests/Fixtures/ocr (see the README there).</summary>
public static class OcrFixtures
{
    public static string Folder { get; } = Path.Combine(SharedSamples.RepoRoot, "tests", "Fixtures", "ocr");

    /// <summary>Image-only PDF of a Swiss café receipt (Café Seeblick, total CHF 25.23).</summary>
    public static string ScannedReceiptPdf => Path.Combine(Folder, "scanned-receipt-de.pdf");

    /// <summary>PNG of a French bakery receipt (Boulangerie Lefèvre, TOTAL TTC 21,61 €).</summary>
    public static string ReceiptPng => Path.Combine(Folder, "receipt-fr.png");

    /// <summary>Greyscale JPEG photo of a Tokyo receipt (Kanda Books &amp; Stationery, TOTAL ¥4,460).</summary>
    public static string ReceiptJpeg => Path.Combine(Folder, "receipt-photo.jpg");
}

/// <summary>One page of a <see cref="TestPdf"/>: a JPEG filling the page, text on it, or both.</summary>
/// <param name="Text">Lines written from the top left in Helvetica.</param>
/// <param name="InvisibleText">Drawn in render mode 3 (invisible), as OCR layers of scanners are.</param>
/// <param name="UnmappedFont">The text uses a font whose glyph names map to no Unicode: pdftotext prints control characters.</param>
public sealed record TestPdfPage(byte[]? Jpeg = null, IReadOnlyList<string>? Text = null, bool InvisibleText = false, bool UnmappedFont = false);

/// <summary>
/// Writes small but real PDFs: the objects, a cross-reference table with true byte offsets, and
/// a trailer, so poppler reads them without repairing anything.
/// </summary>
public static class TestPdf
{
    private const double PageWidth = 612, PageHeight = 792;

    public static byte[] Build(params TestPdfPage[] pages) => Build(pages, protectedByUnknownPassword: false);

    /// <param name="protectedByUnknownPassword">
    /// Adds a standard security handler whose password hashes match no password, not even the
    /// empty one: poppler asks for a password, as it does for any PDF locked by its author.
    /// </param>
    public static byte[] Build(IReadOnlyList<TestPdfPage> pages, bool protectedByUnknownPassword)
    {
        var objects = new List<byte[]>();
        int Add(byte[] body) { objects.Add(body); return objects.Count; }
        int Reserve() => Add([]);

        var catalog = Reserve();
        var pageTree = Reserve();
        var helvetica = Add(Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"));
        // Like a subset font without a ToUnicode map: characters are numbered in the order they first
        // appear (1, 2, 3, ...), and the glyph names say nothing, so readers can only print the codes.
        var codes = new Dictionary<char, char>();
        var next = 0;
        foreach (var c in pages.Where(p => p.UnmappedFont).SelectMany(p => p.Text ?? []).SelectMany(line => line))
        {
            if (codes.ContainsKey(c)) continue;
            do next++;
            while (next is '\n' or '\r'); // a line end inside a string would be read back as '\n'
            codes[c] = (char)next;
        }
        var unmapped = Add(Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /Differences [1 "
            + string.Join(" ", Enumerable.Range(1, Math.Max(next, 1)).Select(code => "/g" + code.ToString(CultureInfo.InvariantCulture))) + "] >> >>"));

        var kids = new List<int>();
        foreach (var page in pages)
        {
            var content = new StringBuilder();
            var xObjects = "";
            if (page.Jpeg is { } jpeg)
            {
                var (width, height, components) = JpegFrame(jpeg);
                var image = Add(Stream(
                    $"/Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /{(components == 1 ? "DeviceGray" : "DeviceRGB")} /BitsPerComponent 8 /Filter /DCTDecode",
                    jpeg));
                xObjects = $"/XObject << /Im0 {image} 0 R >>";
                content.Append(CultureInfo.InvariantCulture, $"q {PageWidth} 0 0 {PageHeight} 0 0 cm /Im0 Do Q\n");
            }
            if (page.Text is { Count: > 0 } lines)
            {
                content.Append(CultureInfo.InvariantCulture, $"BT {(page.InvisibleText ? 3 : 0)} Tr /{(page.UnmappedFont ? "F2" : "F1")} 11 Tf 14 TL 56 740 Td\n");
                foreach (var line in lines)
                {
                    var shown = page.UnmappedFont ? new string(line.Select(c => codes[c]).ToArray()) : line;
                    content.Append('(').Append(Escape(shown)).Append(") Tj T*\n");
                }
                content.Append("ET\n");
            }

            var contents = Add(Stream("", Encoding.Latin1.GetBytes(content.ToString())));
            kids.Add(Add(Ascii(
                $"<< /Type /Page /Parent {pageTree} 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] " +
                $"/Resources << /Font << /F1 {helvetica} 0 R /F2 {unmapped} 0 R >> {xObjects} >> /Contents {contents} 0 R >>")));
        }

        objects[catalog - 1] = Ascii($"<< /Type /Catalog /Pages {pageTree} 0 R >>");
        objects[pageTree - 1] = Ascii($"<< /Type /Pages /Kids [{string.Join(" ", kids.Select(k => $"{k} 0 R"))}] /Count {kids.Count} >>");
        var encryption = protectedByUnknownPassword
            ? Add(Ascii($"<< /Filter /Standard /V 1 /R 2 /O <{new string('1', 64)}> /U <{new string('2', 64)}> /P -4 >>"))
            : (int?)null;
        return Write(objects, catalog, encryption);
    }

    private static byte[] Write(List<byte[]> objects, int catalog, int? encryption)
    {
        using var pdf = new MemoryStream();
        void Put(string text) => pdf.Write(Encoding.Latin1.GetBytes(text));

        Put("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Put($"{i + 1} 0 obj\n");
            pdf.Write(objects[i]);
            Put("\nendobj\n");
        }

        var xref = pdf.Position;
        Put($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) Put(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        var encrypt = encryption is { } id ? $" /Encrypt {id} 0 R /ID [<{new string('0', 32)}> <{new string('0', 32)}>]" : "";
        Put($"trailer\n<< /Size {objects.Count + 1} /Root {catalog} 0 R{encrypt} >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    private static byte[] Stream(string dictionary, byte[] data)
    {
        var head = Encoding.Latin1.GetBytes($"<< {dictionary} /Length {data.Length} >>\nstream\n");
        return [.. head, .. data, .. "\nendstream"u8];
    }

    private static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");

    /// <summary>Width, height and colour components from the JPEG's baseline or progressive frame header.</summary>
    private static (int Width, int Height, int Components) JpegFrame(byte[] jpeg)
    {
        for (var i = 2; i + 9 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
                return (BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 7)), BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 5)), jpeg[i + 9]);
        throw new InvalidOperationException("No baseline or progressive frame header.");
    }
}
