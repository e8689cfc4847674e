using System.Globalization;
using System.Xml;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// The words of a PDF's text layer with their boxes, from <c>pdftotext -bbox-layout</c>, placed on the text
/// <c>pdftotext -layout</c> printed for the same pages. The layout text stays what the field stage reads (its
/// columns of spaces are what tells a label from its value); this only says where each of its words stands.
/// The two outputs come from the same reading of the page, so they hold the same words, but not in the same
/// order: the layout prints the page line by line across its columns, the box output block by block.
/// </summary>
public static class PdfWordBoxes
{
    /// <summary>A word as pdftotext boxed it, in points from the page's top left.</summary>
    public sealed record BoxedWord(string Text, double Left, double Top, double Right, double Bottom, int Line, int Block)
    {
        public double Middle => (Top + Bottom) / 2;
    }

    public sealed record BoxedPage(PageSize Size, IReadOnlyList<BoxedWord> Words);

    /// <summary>The pages of <c>pdftotext -bbox-layout</c>'s XHTML, in order; lines and blocks numbered from 0 within each page.</summary>
    /// <exception cref="XmlException">The output is not the XHTML pdftotext writes.</exception>
    public static List<BoxedPage> Parse(Stream xhtml)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null, IgnoreWhitespace = true };
        using var reader = XmlReader.Create(xhtml, settings);
        var pages = new List<BoxedPage>();
        List<BoxedWord>? words = null;
        int line = -1, block = -1;
        // ReadElementContentAsString leaves the reader on the node after the word, which may be the next word.
        var onNext = false;
        while (onNext || reader.Read())
        {
            onNext = false;
            if (reader.NodeType != XmlNodeType.Element) continue;
            switch (reader.LocalName)
            {
                case "page":
                    words = [];
                    (line, block) = (-1, -1);
                    pages.Add(new BoxedPage(new PageSize(Number(reader, "width"), Number(reader, "height"), "pt"), words));
                    break;
                case "block":
                    block++;
                    break;
                case "line":
                    line++;
                    break;
                case "word" when words is not null:
                    var (left, top, right, bottom) = (Number(reader, "xMin"), Number(reader, "yMin"), Number(reader, "xMax"), Number(reader, "yMax"));
                    var text = reader.ReadElementContentAsString();
                    onNext = true;
                    if (!string.IsNullOrWhiteSpace(text)) words.Add(new BoxedWord(text.Trim(), left, top, right, bottom, Math.Max(line, 0), Math.Max(block, 0)));
                    break;
            }
        }
        return pages;
    }

    private static double Number(XmlReader reader, string attribute) =>
        double.TryParse(reader.GetAttribute(attribute), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    /// <summary>
    /// <paramref name="text"/> (one page of <c>pdftotext -layout</c>) with each of its words given the box of the
    /// same word in <paramref name="page"/>. A word is matched to one of the same spelling, the one nearest the
    /// line the layout put it on; a layout word that is two boxed words printed without a gap gets both boxes.
    /// A word with no match (rare; the outputs differ in nothing else) is left without a box.
    /// </summary>
    public static LaidOutPage Place(string text, BoxedPage page)
    {
        var words = page.Words;
        // Reading order of the layout, near enough: bands of half a typical word's height, left to right in each.
        var band = words.Count == 0 ? 1 : Math.Max(1, words.Select(w => w.Bottom - w.Top).Order().ElementAt(words.Count / 2) / 2);
        var order = Enumerable.Range(0, words.Count)
            .OrderBy(i => Math.Round(words[i].Middle / band)).ThenBy(i => words[i].Left).ToArray();
        var rank = new int[words.Count];
        for (var r = 0; r < order.Length; r++) rank[order[r]] = r;

        var bySpelling = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var i in order)
        {
            if (!bySpelling.TryGetValue(words[i].Text, out var same)) bySpelling[words[i].Text] = same = [];
            same.Add(i);
        }

        var used = new bool[words.Count];
        var placed = new List<PositionedWord>(words.Count);
        var cursor = 0;
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = text.Length;
            double? lineMiddle = null;
            var lastRight = double.NegativeInfinity;
            for (var start = lineStart; start < lineEnd;)
            {
                if (char.IsWhiteSpace(text[start])) { start++; continue; }
                var end = start;
                while (end < lineEnd && !char.IsWhiteSpace(text[end])) end++;

                var matched = Match(text.AsSpan(start, end - start));
                if (matched.Count > 0)
                {
                    var box = matched.Select(i => words[i]).ToList();
                    var first = box[0];
                    var union = box.Skip(1).Aggregate(PageBox.Of(first.Left, first.Top, first.Right, first.Bottom, page.Size.Width, page.Size.Height),
                        (so, w) => so.Union(PageBox.Of(w.Left, w.Top, w.Right, w.Bottom, page.Size.Width, page.Size.Height)));
                    placed.Add(new PositionedWord(start, end, 0, union, first.Line, first.Block));
                    lineMiddle ??= first.Middle;
                    lastRight = box[^1].Right;
                    cursor = rank[matched[^1]] + 1;
                }
                start = end;
            }
            lineStart = lineEnd + 1;

            List<int> Match(ReadOnlySpan<char> token)
            {
                var single = Best(token.ToString());
                // A word of the same spelling on this line is the word; one elsewhere may lose to parts printed here.
                if (single >= 0 && Cost(single) < 1) return Use([single]);
                var parts = Parts(token);
                if (parts.Count > 0 && (single < 0 || Cost(parts[0]) < Cost(single))) return Use(parts);
                return single >= 0 ? Use([single]) : [];
            }

            // Two or more boxed words printed as one: "₹" and "3,659.85" set in different fonts with no space between.
            List<int> Parts(ReadOnlySpan<char> token)
            {
                var parts = new List<int>();
                var rest = token;
                while (rest.Length > 0)
                {
                    var next = BestPrefix(rest, parts);
                    if (next < 0) return [];
                    parts.Add(next);
                    rest = rest[words[next].Text.Length..];
                }
                return parts.Count > 1 ? parts : [];
            }

            List<int> Use(List<int> chosen)
            {
                foreach (var i in chosen)
                {
                    used[i] = true;
                    bySpelling[words[i].Text].Remove(i);
                }
                return chosen;
            }

            int Best(string spelling) =>
                bySpelling.TryGetValue(spelling, out var same) ? Nearest(same) : -1;

            int BestPrefix(ReadOnlySpan<char> rest, List<int> taken)
            {
                var best = -1;
                var bestCost = double.MaxValue;
                // Only the words after the cursor in reading order, and not far: a glued word's parts sit side by side.
                for (var r = cursor; r < Math.Min(order.Length, cursor + PrefixWindow); r++)
                {
                    var i = order[r];
                    if (used[i] || taken.Contains(i) || !rest.StartsWith(words[i].Text, StringComparison.Ordinal)) continue;
                    var cost = Cost(i);
                    if (cost < bestCost) (best, bestCost) = (i, cost);
                }
                return best;
            }

            int Nearest(List<int> same)
            {
                var best = -1;
                var bestCost = double.MaxValue;
                foreach (var i in same)
                {
                    var cost = Cost(i);
                    if (cost < bestCost) (best, bestCost) = (i, cost);
                }
                return best;
            }

            // Off the layout line costs most, then lying left of the line's last word, then distance in reading order.
            double Cost(int i)
            {
                var word = words[i];
                var reference = lineMiddle ?? (cursor < order.Length ? words[order[cursor]].Middle : word.Middle);
                var height = Math.Max(1, word.Bottom - word.Top);
                return Math.Abs(word.Middle - reference) / height
                    + (word.Left < lastRight - 0.5 ? 1 : 0)
                    + Math.Abs(rank[i] - cursor) * 0.001;
            }
        }

        return new LaidOutPage(text, page.Size, placed);
    }

    private const int PrefixWindow = 8;
}
