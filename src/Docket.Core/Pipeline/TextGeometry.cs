using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Core.Pipeline;

/// <summary>
/// A rectangle on a page as fractions of the page's width and height, measured from its top left corner: the
/// same numbers whatever resolution the page is drawn at, so the review screen draws a field's box on any
/// rendering of the page without knowing how it was read.
/// </summary>
public sealed record PageBox(double Left, double Top, double Right, double Bottom)
{
    [JsonIgnore]
    public double Width => Right - Left;

    [JsonIgnore]
    public double Height => Bottom - Top;

    public PageBox Union(PageBox other) => new(
        Math.Min(Left, other.Left), Math.Min(Top, other.Top), Math.Max(Right, other.Right), Math.Max(Bottom, other.Bottom));

    /// <summary>A box in a page's own units (points, pixels) as fractions of its size, kept inside the page.</summary>
    public static PageBox Of(double left, double top, double right, double bottom, double pageWidth, double pageHeight)
    {
        static double Fraction(double value, double size) => Math.Round(Math.Clamp(value / size, 0, 1), 4);
        return new PageBox(Fraction(left, pageWidth), Fraction(top, pageHeight), Fraction(right, pageWidth), Fraction(bottom, pageHeight));
    }
}

/// <summary>A page's size in the units its reader measured it in: "pt" for a PDF's text layer, "px" for an image.</summary>
public sealed record PageSize(double Width, double Height, string Unit);

/// <summary>
/// One word of the text and where it stands: the characters [<see cref="Start"/>, <see cref="End"/>) of
/// <see cref="ExtractedText.Content"/>, its 1-based page, its box, and the line and block of the page it belongs
/// to as the reader grouped them (numbered from 0 within the page). Written as one JSON array
/// <c>[start, end, page, left, top, right, bottom, line, block]</c>: a page holds hundreds of words, and names
/// on each would make the stored geometry several times larger than the text.
/// </summary>
[JsonConverter(typeof(PositionedWordConverter))]
public sealed record PositionedWord(int Start, int End, int Page, PageBox Box, int Line, int Block);

/// <summary>The pages' sizes and every positioned word, in the order of their characters in the text.</summary>
public sealed record TextGeometry(IReadOnlyList<PageSize> Pages, IReadOnlyList<PositionedWord> Words)
{
    /// <summary>The union of the boxes of the words on <paramref name="page"/> that share characters with [start, end); null when none does.</summary>
    public PageBox? BoxOf(int page, int start, int end)
    {
        var first = FirstEndingAfter(start);
        PageBox? box = null;
        for (var i = first; i < Words.Count && Words[i].Start < end; i++)
        {
            if (Words[i].Page != page) continue;
            box = box?.Union(Words[i].Box) ?? Words[i].Box;
        }
        return box;
    }

    /// <summary>The words whose characters lie in [start, end), in text order.</summary>
    public IEnumerable<PositionedWord> WordsIn(int start, int end)
    {
        for (var i = FirstEndingAfter(start); i < Words.Count && Words[i].Start < end; i++) yield return Words[i];
    }

    /// <summary>The words cut off where the text was cut (<see cref="Stages.Extraction.TextDecoding.Truncate"/>).</summary>
    public TextGeometry Within(int length) =>
        Words.Count == 0 || Words[^1].End <= length ? this : this with { Words = Words.Where(w => w.End <= length).ToList() };

    /// <summary>The index of the first word that ends after <paramref name="offset"/>: words are in text order and never overlap.</summary>
    private int FirstEndingAfter(int offset)
    {
        int low = 0, high = Words.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Words[middle].End <= offset) low = middle + 1;
            else high = middle;
        }
        return low;
    }
}

internal sealed class PositionedWordConverter : JsonConverter<PositionedWord>
{
    public override PositionedWord Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A positioned word is an array of nine numbers.");
        Span<double> numbers = stackalloc double[9];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == numbers.Length || reader.TokenType != JsonTokenType.Number) throw new JsonException("A positioned word is an array of nine numbers.");
            numbers[count++] = reader.GetDouble();
        }
        if (count != numbers.Length) throw new JsonException("A positioned word is an array of nine numbers.");
        return new PositionedWord((int)numbers[0], (int)numbers[1], (int)numbers[2],
            new PageBox(numbers[3], numbers[4], numbers[5], numbers[6]), (int)numbers[7], (int)numbers[8]);
    }

    public override void Write(Utf8JsonWriter writer, PositionedWord value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Start);
        writer.WriteNumberValue(value.End);
        writer.WriteNumberValue(value.Page);
        writer.WriteNumberValue(value.Box.Left);
        writer.WriteNumberValue(value.Box.Top);
        writer.WriteNumberValue(value.Box.Right);
        writer.WriteNumberValue(value.Box.Bottom);
        writer.WriteNumberValue(value.Line);
        writer.WriteNumberValue(value.Block);
        writer.WriteEndArray();
    }
}
