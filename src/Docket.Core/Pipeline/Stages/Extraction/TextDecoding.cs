using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Decodes the bytes of a text file whose encoding nobody told us.</summary>
public static class TextDecoding
{
    /// <summary>
    /// Longer texts are cut here: five million characters is far more than any invoice or
    /// report, and keeps one odd upload from filling the database and every later stage.
    /// </summary>
    public const int MaxCharacters = 5_000_000;

    /// <summary>
    /// What Windows-1252 puts in 0x80-0x9F, where Latin-1 has control characters. Invariant
    /// globalization leaves us without code page 1252, and files that are not UTF-8 are far more
    /// often Windows-1252 than true ISO-8859-1 (which never uses that range for text).
    /// Undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) keep their Latin-1 meaning.
    /// </summary>
    private const string Windows1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /// <summary>
    /// UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM, else Windows-1252.
    /// Line ends become '\n' so every later stage counts lines and offsets the same way.
    /// </summary>
    public static string Decode(byte[] bytes) => Decode(new MemoryStream(bytes, writable: false));

    /// <summary>
    /// As <see cref="Decode(byte[])"/>, reading only as far as the first <see cref="MaxCharacters"/> need: a 1 GB
    /// file costs what a 20 MB one does, where reading it whole would need more than the largest string .NET allows.
    /// Whether text without a BOM is UTF-8 is judged on the part read. The stream must be seekable.
    /// </summary>
    public static string Decode(Stream stream) => Decode(stream, out _);

    /// <param name="truncated">Whether the text went on past <see cref="MaxCharacters"/>.</param>
    public static string Decode(Stream stream, out bool truncated)
    {
        var head = new byte[4];
        var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> start = head.AsSpan(0, headLength);
        var (encoding, bomLength) =
            start.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? (null, 3)
            : start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]) ? (Encoding.UTF32, 4)
            : start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? (Encoding.Unicode, 2)
            : start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? (Encoding.BigEndianUnicode, 2)
            : ((Encoding?)null, 0);

        string text;
        if (encoding is not null)
            text = Read(stream, bomLength, encoding.GetDecoder());
        else
            try
            {
                text = Read(stream, bomLength, StrictUtf8.GetDecoder());
            }
            catch (DecoderFallbackException)
            {
                text = Read(stream, bomLength, decoder: null);
            }
        truncated = text.Length > MaxCharacters;
        return Truncate(text);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes from <paramref name="offset"/> to one character past the cap at most; a null decoder means Windows-1252.</summary>
    /// <remarks>
    /// The buffers are pooled and no larger than the file: a fresh 64 KB char buffer per document sat on
    /// the large object heap, and at hundreds of small documents a second the background GC was a tenth
    /// of the worker's CPU.
    /// </remarks>
    private static string Read(Stream stream, int offset, Decoder? decoder)
    {
        const int chunkBytes = 64 * 1024;
        stream.Position = offset;
        var remaining = stream.Length - offset;
        var chunk = (int)Math.Min(Math.Max(remaining, 0), chunkBytes - 1) + 1;
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(chunk);
        // A decoder may hand back characters it held from the previous chunk (at most a few).
        var chars = System.Buffers.ArrayPool<char>.Shared.Rent(chunk + 8);
        try
        {
            var text = new StringBuilder((int)Math.Min(remaining, MaxCharacters + 1L));
            var afterCarriageReturn = false;
            while (text.Length <= MaxCharacters)
            {
                var read = stream.Read(bytes, 0, chunk);
                int decoded;
                if (decoder is null)
                {
                    for (var i = 0; i < read; i++)
                    {
                        var b = bytes[i];
                        chars[i] = b is >= 0x80 and <= 0x9F ? Windows1252High[b - 0x80] : (char)b;
                    }
                    decoded = read;
                }
                else
                {
                    decoded = decoder.GetChars(bytes, 0, read, chars, 0, flush: read == 0);
                }
                afterCarriageReturn = AppendWithNewlines(text, chars.AsSpan(0, decoded), afterCarriageReturn);
                if (read == 0) break;
            }
            return text.ToString();
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(chars);
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Appends <paramref name="chars"/> with "\r\n" and a lone "\r" as "\n"; a chunk may end between the two.</summary>
    /// <returns>Whether the last character appended was a '\r' turned into '\n'.</returns>
    private static bool AppendWithNewlines(StringBuilder text, ReadOnlySpan<char> chars, bool afterCarriageReturn)
    {
        if (afterCarriageReturn && chars.Length > 0 && chars[0] == '\n') chars = chars[1..];
        else if (chars.IsEmpty) return afterCarriageReturn;
        while (true)
        {
            var cr = chars.IndexOf('\r');
            if (cr < 0)
            {
                text.Append(chars);
                return false;
            }
            text.Append(chars[..cr]).Append('\n');
            chars = chars[(cr + 1)..];
            if (chars.IsEmpty) return true;
            if (chars[0] == '\n') chars = chars[1..];
        }
    }

    /// <summary>Cuts at <see cref="MaxCharacters"/> without splitting a surrogate pair.</summary>
    public static string Truncate(string text)
    {
        if (text.Length <= MaxCharacters) return text;
        var length = char.IsHighSurrogate(text[MaxCharacters - 1]) ? MaxCharacters - 1 : MaxCharacters;
        return text[..length];
    }
}
