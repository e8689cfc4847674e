using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

// Shared by the Core and Server test projects (linked into the latter).
namespace Docket.Tests;

/// <summary>Images written byte by byte, for header checks and multi-page TIFFs.</summary>
public static class TestImages
{
    /// <summary>
    /// A complete, valid 1-bit greyscale PNG of <paramref name="width"/> × <paramref name="height"/>
    /// white pixels. All-zero rows deflate about a thousand to one, so even 65535 × 65535 (4.3
    /// gigapixels, half a gigabyte of raw rows) is a file of well under a megabyte: a decompression bomb.
    /// </summary>
    public static byte[] BlankPng(int width, int height)
    {
        var rowBytes = (width + 7) / 8 + 1; // filter byte, then the pixels
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[rowBytes];
            for (var y = 0; y < height; y++) zlib.Write(row);
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)height);
        header[8] = 1; // bit depth
        header[9] = 0; // greyscale
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    /// <summary>The CRC-32 every PNG chunk ends with (ISO 3309, as zlib computes it).</summary>
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>
    /// An uncompressed 8-bit greyscale TIFF with one page per PGM image (as pdftoppm -gray writes
    /// them), little-endian, each page's pixels in one strip.
    /// </summary>
    public static byte[] GreyTiff(IReadOnlyList<byte[]> pgmPages)
    {
        var pages = pgmPages.Select(ReadPgm).ToList();
        using var tiff = new MemoryStream();
        var writer = new BinaryWriter(tiff);
        writer.Write("II"u8);
        writer.Write((ushort)42);
        var nextIfdAt = tiff.Position;
        writer.Write(0u);

        foreach (var (width, height, pixels) in pages)
        {
            var stripAt = (uint)tiff.Position;
            writer.Write(pixels);
            if (tiff.Position % 2 == 1) writer.Write((byte)0);

            var ifdAt = (uint)tiff.Position;
            tiff.Position = nextIfdAt;
            writer.Write(ifdAt);
            tiff.Position = ifdAt;

            (ushort Tag, ushort Type, uint Value)[] entries =
            [
                (256, 4, (uint)width), (257, 4, (uint)height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                (273, 4, stripAt), (277, 3, 1), (278, 4, (uint)height), (279, 4, (uint)pixels.Length),
            ];
            writer.Write((ushort)entries.Length);
            foreach (var (tag, type, value) in entries)
            {
                writer.Write(tag);
                writer.Write(type);
                writer.Write(1u);
                if (type == 3)
                {
                    writer.Write((ushort)value);
                    writer.Write((ushort)0);
                }
                else
                {
                    writer.Write(value);
                }
            }
            nextIfdAt = tiff.Position;
            writer.Write(0u);
        }

        writer.Flush();
        return tiff.ToArray();
    }

    /// <summary>Binary PGM ("P5"): a text header of magic, width, height and maximum, then one byte per pixel.</summary>
    private static (int Width, int Height, byte[] Pixels) ReadPgm(byte[] pgm)
    {
        var fields = new List<int>();
        var at = 2;
        while (fields.Count < 3)
        {
            while (char.IsWhiteSpace((char)pgm[at])) at++;
            var start = at;
            while (!char.IsWhiteSpace((char)pgm[at])) at++;
            fields.Add(int.Parse(Encoding.ASCII.GetString(pgm, start, at - start), CultureInfo.InvariantCulture));
        }
        at++; // the single whitespace before the pixels
        return (fields[0], fields[1], pgm[at..(at + fields[0] * fields[1])]);
    }
}
