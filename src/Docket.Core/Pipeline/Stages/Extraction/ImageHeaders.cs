using System.Buffers.Binary;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>The size of one page (frame) of an image as its header states it.</summary>
public readonly record struct ImageSize(long Width, long Height)
{
    public long Pixels => Width * Height;

    public override string ToString() => FormattableString.Invariant($"{Width:N0} × {Height:N0} pixels");
}

/// <summary>
/// Reads the page sizes of PNG, JPEG and TIFF files from their headers alone. Nothing here
/// decodes pixel data: a 65535 × 65535 PNG of a few hundred bytes costs a 24-byte read, so the
/// size can be refused before tesseract would try to allocate gigabytes for it.
/// </summary>
public static class ImageHeaders
{
    /// <summary>Segments a JPEG may have before its frame header; real files have a handful.</summary>
    private const int MaxJpegSegments = 1000;

    /// <exception cref="UnprocessableDocumentException">The header is missing, damaged, or has more than <paramref name="maxPages"/> pages.</exception>
    public static IReadOnlyList<ImageSize> Read(string path, FileKind kind, int maxPages)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        var reader = new HeaderReader(file, kind);
        return kind switch
        {
            FileKind.Png => [ReadPng(reader)],
            FileKind.Jpeg => [ReadJpeg(reader)],
            FileKind.Tiff => ReadTiff(reader, maxPages),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not an image kind."),
        };
    }

    private static ImageSize ReadPng(HeaderReader reader)
    {
        // Signature (8), then the IHDR chunk, which the format requires first: length (4), "IHDR", width, height.
        var head = reader.Bytes(0, 24);
        if (!head.AsSpan(8, 4).SequenceEqual("\0\0\0\r"u8) || !head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw reader.Damaged("it does not start with an IHDR chunk");
        return new ImageSize(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20)));
    }

    private static ImageSize ReadJpeg(HeaderReader reader)
    {
        long offset = 2; // after SOI
        for (var segment = 0; segment < MaxJpegSegments; segment++)
        {
            var marker = reader.Bytes(offset, 2);
            if (marker[0] != 0xFF) throw reader.Damaged($"no marker at byte {offset:N0}");
            var code = marker[1];
            if (code == 0xFF) { offset++; continue; } // fill byte before a marker
            if (code is 0x01 or (>= 0xD0 and <= 0xD8)) { offset += 2; continue; } // markers without a length
            if (code is 0xD9 or 0xDA) break; // end of image, or scan data before any frame header

            var length = BinaryPrimitives.ReadUInt16BigEndian(reader.Bytes(offset + 2, 2));
            if (length < 2) throw reader.Damaged($"a segment at byte {offset:N0} has length {length}");
            if (IsFrameHeader(code))
            {
                var frame = reader.Bytes(offset + 4, 5); // precision, height, width
                var height = BinaryPrimitives.ReadUInt16BigEndian(frame[1..]);
                var width = BinaryPrimitives.ReadUInt16BigEndian(frame[3..]);
                // Height 0 defers the height to a DNL marker after the scan; only decoding would find it.
                if (height == 0) throw reader.Damaged("its frame header leaves the height to be found by decoding");
                return new ImageSize(width, height);
            }
            offset += 2 + length;
        }

        throw reader.Damaged("it has no frame header");
    }

    /// <summary>SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.</summary>
    private static bool IsFrameHeader(byte code) => code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    private static IReadOnlyList<ImageSize> ReadTiff(HeaderReader reader, int maxPages)
    {
        var head = reader.Bytes(0, 8);
        reader.BigEndian = head[0] == (byte)'M';
        var pages = new List<ImageSize>();
        var seen = new HashSet<long>();
        for (long ifd = reader.UInt32(head[4..]); ifd != 0; )
        {
            if (!seen.Add(ifd)) throw reader.Damaged("its page list loops back on itself");
            if (pages.Count == maxPages)
                throw new UnprocessableDocumentException($"The TIFF has more than {maxPages:N0} pages, the most Docket reads.");

            var count = reader.UInt16(reader.Bytes(ifd, 2));
            var entries = reader.Bytes(ifd + 2, count * 12 + 4);
            long? width = null, height = null;
            for (var i = 0; i < count; i++)
            {
                var entry = entries.AsSpan(i * 12, 12);
                var tag = reader.UInt16(entry);
                if (tag is not (256 or 257)) continue;
                // SHORT (3) or LONG (4), one value, stored in the entry itself.
                long value = reader.UInt16(entry[2..]) switch
                {
                    3 => reader.UInt16(entry[8..]),
                    4 => reader.UInt32(entry[8..]),
                    _ => throw reader.Damaged($"page {pages.Count + 1} states its size in an unexpected type"),
                };
                if (tag == 256) width = value;
                else height = value;
            }

            if (width is null || height is null) throw reader.Damaged($"page {pages.Count + 1} does not state its size");
            pages.Add(new ImageSize(width.Value, height.Value));
            ifd = reader.UInt32(entries.AsSpan(count * 12));
        }

        if (pages.Count == 0) throw reader.Damaged("it has no pages");
        return pages;
    }

    private sealed class HeaderReader(FileStream file, FileKind kind)
    {
        public bool BigEndian { get; set; }

        public byte[] Bytes(long offset, int count)
        {
            var buffer = new byte[count];
            if (offset < 0 || offset + count > file.Length || RandomAccess.Read(file.SafeFileHandle, buffer, offset) < count)
                throw Damaged("its header ends early");
            return buffer;
        }

        public ushort UInt16(ReadOnlySpan<byte> bytes) =>
            BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

        public uint UInt32(ReadOnlySpan<byte> bytes) =>
            BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

        public UnprocessableDocumentException Damaged(string why) =>
            new($"The {kind.WireName().ToUpperInvariant()} image is damaged: {why}.");
    }
}
