namespace Docket.Core.Pipeline.Stages.Extraction;

public static class PageText
{
    /// <summary>
    /// Joins the pages with "\n" and records where each starts, so a field's source names the
    /// page it came from. Pages cut away by <see cref="TextDecoding.Truncate"/> are dropped; the
    /// first page always starts at 0.
    /// </summary>
    public static ExtractedText Join(IReadOnlyList<string> pages, string method)
    {
        var starts = new List<int>(Math.Max(1, pages.Count));
        var offset = 0;
        foreach (var page in pages)
        {
            starts.Add(offset);
            offset += page.Length + 1;
        }
        if (starts.Count == 0) starts.Add(0);

        var joined = string.Join("\n", pages);
        var content = TextDecoding.Truncate(joined);
        if (content.Length < joined.Length) starts.RemoveAll(s => s > 0 && s >= content.Length);
        return new ExtractedText(content, starts, method);
    }

    /// <summary>Line ends as every later stage counts them: '\n' only.</summary>
    public static string NormaliseLineEnds(string text) =>
        text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
}
