using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Docket.Bench;

/// <summary>
/// Writes small, valid PDFs: pages of monospaced text and, optionally, embedded files (the way
/// Factur-X carries its XML). Enough for poppler to read the text layer and list the attachments;
/// no fonts are embedded (Courier is one of the standard 14), no PDF/A. The tests link this file too.
/// </summary>
public sealed class PdfBuilder
{
    private const int LineHeight = 12;
    private const int Top = 800;

    private readonly List<IReadOnlyList<string>> _pages = [];
    private readonly List<(string Name, byte[] Content)> _attachments = [];

    /// <summary>A page with these lines, top to bottom; about 60 fit. Characters outside Windows-1252 print as '?'.</summary>
    public PdfBuilder AddPage(IEnumerable<string> lines)
    {
        _pages.Add(lines.ToList());
        return this;
    }

    public PdfBuilder Attach(string name, byte[] content)
    {
        _attachments.Add((name, content));
        return this;
    }

    public byte[] Build()
    {
        if (_pages.Count == 0) throw new InvalidOperationException("A PDF needs at least one page.");

        // Object numbers: 1 catalog, 2 page tree, 3 font, then a page and its content per page, then a file spec and its stream per attachment.
        var objects = new List<byte[]>();
        var firstPage = 4;
        var firstAttachment = firstPage + 2 * _pages.Count;
        var attachments = _attachments.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();

        var names = attachments.Count == 0
            ? ""
            : " /Names << /EmbeddedFiles << /Names [" + string.Concat(attachments.Select((a, i) => $" {Literal(a.Name)} {firstAttachment + 2 * i} 0 R")) + " ] >> >>";
        objects.Add(Ascii($"<< /Type /Catalog /Pages 2 0 R{names} >>"));
        var kids = string.Join(" ", Enumerable.Range(0, _pages.Count).Select(i => $"{firstPage + 2 * i} 0 R"));
        objects.Add(Ascii($"<< /Type /Pages /Kids [ {kids} ] /Count {_pages.Count} >>"));
        objects.Add(Ascii("<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"));

        for (var i = 0; i < _pages.Count; i++)
        {
            objects.Add(Ascii($"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 595 842 ] /Resources << /Font << /F1 3 0 R >> >> /Contents {firstPage + 2 * i + 1} 0 R >>"));
            objects.Add(Stream("", Compress(PageContent(_pages[i]))));
        }

        for (var i = 0; i < attachments.Count; i++)
        {
            var (name, content) = attachments[i];
            objects.Add(Ascii($"<< /Type /Filespec /F {Literal(name)} /UF {Literal(name)} /AFRelationship /Data /EF << /F {firstAttachment + 2 * i + 1} 0 R >> >>"));
            objects.Add(Stream($"/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size {content.Length} >>", Compress(content)));
        }

        using var pdf = new MemoryStream();
        Write(pdf, "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Write(pdf, $"{i + 1} 0 obj\n");
            pdf.Write(objects[i]);
            Write(pdf, "\nendobj\n");
        }

        var xref = pdf.Position;
        var table = new StringBuilder($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) table.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        table.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        Write(pdf, table.ToString());
        return pdf.ToArray();
    }

    private static byte[] PageContent(IReadOnlyList<string> lines)
    {
        using var content = new MemoryStream();
        Write(content, $"BT /F1 10 Tf {LineHeight} TL 40 {Top} Td\n");
        foreach (var line in lines)
        {
            content.Write(TextString(line));
            Write(content, " Tj T*\n");
        }

        Write(content, "ET\n");
        return content.ToArray();
    }

    private static byte[] Stream(string dictionary, byte[] data)
    {
        using var stream = new MemoryStream();
        Write(stream, $"<< {dictionary} /Length {data.Length} /Filter /FlateDecode >>\nstream\n");
        stream.Write(data);
        Write(stream, "\nendstream");
        return stream.ToArray();
    }

    /// <summary>FlateDecode is the zlib format (RFC 1950), which <see cref="ZLibStream"/> writes.</summary>
    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(data);
        return output.ToArray();
    }

    /// <summary>A literal string in the font's encoding, with the three characters the syntax reserves escaped.</summary>
    private static byte[] TextString(string text)
    {
        var bytes = new List<byte> { (byte)'(' };
        foreach (var c in text)
        {
            if (c is '(' or ')' or '\\') bytes.Add((byte)'\\');
            bytes.Add(WinAnsi(c));
        }

        bytes.Add((byte)')');
        return bytes.ToArray();
    }

    /// <summary>Windows-1252 as far as invoices need it: Latin-1, plus the euro sign at 0x80.</summary>
    private static byte WinAnsi(char c) => c switch
    {
        '€' => 0x80,
        '–' => 0x96,
        '’' => 0x92,
        < '\u0020' => (byte)' ',
        <= '\u00FF' => (byte)c,
        _ => (byte)'?',
    };

    private static string Literal(string text) =>
        "(" + text.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)") + ")";

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static void Write(Stream stream, string text) => stream.Write(Encoding.Latin1.GetBytes(text));
}
