namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// One page as a reader laid it out: its text, and where the page's words stand on it, their character offsets
/// counted from the start of <see cref="Text"/> and their page left at 0 (<see cref="PageText.Join(IReadOnlyList{LaidOutPage}, string)"/> numbers them).
/// </summary>
/// <param name="Size">Null for a page read without geometry; its words are then empty.</param>
public sealed record LaidOutPage(string Text, PageSize? Size, IReadOnlyList<PositionedWord> Words)
{
    public static LaidOutPage TextOnly(string text) => new(text, null, []);
}

public static class PageText
{
    /// <summary>
    /// Joins the pages with "\n" and records where each starts, so a field's source names the
    /// page it came from. Pages cut away by <see cref="TextDecoding.Truncate"/> are dropped; the
    /// first page always starts at 0.
    /// </summary>
    public static ExtractedText Join(IReadOnlyList<string> pages, string method) =>
        Join(pages.Select(LaidOutPage.TextOnly).ToList(), method);

    /// <summary>
    /// <see cref="Join(IReadOnlyList{string}, string)"/>, keeping each page's words where they land in the joined
    /// text; the geometry is null when no page has any (a PDF whose pages were read without it).
    /// </summary>
    public static ExtractedText Join(IReadOnlyList<LaidOutPage> pages, string method)
    {
        var starts = new List<int>(Math.Max(1, pages.Count));
        var offset = 0;
        foreach (var page in pages)
        {
            starts.Add(offset);
            offset += page.Text.Length + 1;
        }
        if (starts.Count == 0) starts.Add(0);

        var joined = string.Join("\n", pages.Select(p => p.Text));
        var content = TextDecoding.Truncate(joined);
        if (content.Length < joined.Length) starts.RemoveAll(s => s > 0 && s >= content.Length);
        return new ExtractedText(content, starts, method) { Geometry = Geometry(pages, starts)?.Within(content.Length) };
    }

    private static TextGeometry? Geometry(IReadOnlyList<LaidOutPage> pages, List<int> starts)
    {
        if (pages.All(p => p.Size is null)) return null;
        var words = new List<PositionedWord>(pages.Sum(p => p.Words.Count));
        var sizes = new List<PageSize>(pages.Count);
        for (var i = 0; i < pages.Count && i < starts.Count; i++)
        {
            // A page read without geometry among pages with it: its size is unknown, and it has no words to place.
            sizes.Add(pages[i].Size ?? new PageSize(0, 0, "pt"));
            foreach (var word in pages[i].Words)
                words.Add(word with { Start = word.Start + starts[i], End = word.End + starts[i], Page = i + 1 });
        }
        return new TextGeometry(sizes, words);
    }

    /// <summary>Line ends as every later stage counts them: '\n' only.</summary>
    public static string NormaliseLineEnds(string text) =>
        text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
}
