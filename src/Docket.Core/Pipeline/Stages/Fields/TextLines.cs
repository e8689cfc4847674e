namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>A line of the extracted text as offsets, so every value found keeps its place in the text.</summary>
public readonly record struct TextLine(int Start, int End)
{
    public static List<TextLine> Split(string text)
    {
        var lines = new List<TextLine>();
        for (var start = 0; start <= text.Length;)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            lines.Add(new TextLine(start, end));
            start = end + 1;
        }

        return lines;
    }
}
