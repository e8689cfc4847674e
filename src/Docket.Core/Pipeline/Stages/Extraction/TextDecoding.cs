using System.Text;
using System.Text.Unicode;

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
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        string text;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            text = DecodeUtf8(bytes[3..]);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
            text = Encoding.UTF32.GetString(bytes[4..]);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
            text = Encoding.Unicode.GetString(bytes[2..]);
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
            text = Encoding.BigEndianUnicode.GetString(bytes[2..]);
        else
            text = DecodeUtf8(bytes);

        return Truncate(NormaliseLineEnds(text));
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : DecodeWindows1252(bytes);

    private static string DecodeWindows1252(ReadOnlySpan<byte> bytes) =>
        string.Create(bytes.Length, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var b = source[i];
                chars[i] = b is >= 0x80 and <= 0x9F ? Windows1252High[b - 0x80] : (char)b;
            }
        });

    private static string NormaliseLineEnds(string text) =>
        text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;

    /// <summary>Cuts at <see cref="MaxCharacters"/> without splitting a surrogate pair.</summary>
    public static string Truncate(string text)
    {
        if (text.Length <= MaxCharacters) return text;
        var length = char.IsHighSurrogate(text[MaxCharacters - 1]) ? MaxCharacters - 1 : MaxCharacters;
        return text[..length];
    }
}
