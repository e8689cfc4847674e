using System.Globalization;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Lays tesseract's words out as <c>pdftotext -layout</c> lays out a text layer: each word at the
/// column its position on the page gives it, wide gaps kept as runs of spaces, large vertical gaps
/// as blank lines. tesseract's own text output joins "Invoice No." and "H74681" with one space and
/// drops the indent of a right-hand address block, which is exactly what tells the field stage
/// a label from its value and the sender from the recipient; with the layout kept, scans and
/// text-layer PDFs read alike.
/// </summary>
public static class OcrLayout
{
    /// <summary>A gap wider than this many average characters separates columns, not words.</summary>
    private const double ColumnGapInChars = 2.0;

    /// <summary>More blank lines than this between two lines say nothing more.</summary>
    private const int MaxBlankLines = 2;

    private sealed record Word(int Left, int Top, int Width, int Height, string Text)
    {
        public int Right => Left + Width;

        public int Bottom => Top + Height;
    }

    private sealed record Line(int Top, int Block, List<Word> Words);

    private sealed class Page
    {
        public int Width;
        public int Height;
        public readonly Dictionary<(int Block, int Paragraph, int Line), Line> Lines = [];
    }

    /// <summary>The text of each page of tesseract's TSV output, in page order.</summary>
    public static IReadOnlyList<string> FromTsv(string tsv) => Read(tsv).Select(p => p.Text).ToList();

    /// <summary>Each page of tesseract's TSV output laid out, with every word's box as a fraction of the image, in page order.</summary>
    public static IReadOnlyList<LaidOutPage> Read(string tsv)
    {
        var pages = new SortedDictionary<int, Page>();
        foreach (var row in tsv.Split('\n'))
        {
            var cells = row.TrimEnd('\r').Split('\t');
            if (cells.Length < 12 || !int.TryParse(cells[0], CultureInfo.InvariantCulture, out var level)) continue;
            if (!int.TryParse(cells[1], CultureInfo.InvariantCulture, out var number)) continue;
            if (!pages.TryGetValue(number, out var page)) pages[number] = page = new Page();
            if (level == 1)
            {
                // The page row's box is the whole image.
                page.Width = int.Parse(cells[8], CultureInfo.InvariantCulture);
                page.Height = int.Parse(cells[9], CultureInfo.InvariantCulture);
            }
            if (level != 5 || string.IsNullOrWhiteSpace(cells[11])) continue;

            var numbers = cells[2..10].Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
            var key = (numbers[0], numbers[1], numbers[2]);
            var word = new Word(numbers[4], numbers[5], numbers[6], numbers[7], cells[11].Trim());
            if (!page.Lines.TryGetValue(key, out var line)) page.Lines[key] = line = new Line(word.Top, numbers[0], []);
            line.Words.Add(word);
        }

        return pages.Values.Select(Lay).ToList();
    }

    /// <summary>
    /// The words of tesseract's TSV output it is at least <paramref name="minConfidence"/> (0-100) sure of, in
    /// reading order; a page of noise read as "ao RR de da" is read with low confidence.
    /// </summary>
    public static IEnumerable<string> ConfidentWords(string tsv, double minConfidence)
    {
        foreach (var row in tsv.Split('\n'))
        {
            var cells = row.TrimEnd('\r').Split('\t');
            if (cells.Length < 12 || cells[0] != "5" || string.IsNullOrWhiteSpace(cells[11])) continue;
            if (double.TryParse(cells[10], NumberStyles.Float, CultureInfo.InvariantCulture, out var confidence) && confidence >= minConfidence)
                yield return cells[11].Trim();
        }
    }

    /// <summary>The share of the TSV's words read with at least <paramref name="minConfidence"/>; 1 for a page without words.</summary>
    public static double ConfidentShare(string tsv, double minConfidence)
    {
        var words = 0;
        foreach (var row in tsv.Split('\n'))
        {
            var cells = row.TrimEnd('\r').Split('\t');
            if (cells.Length >= 12 && cells[0] == "5" && !string.IsNullOrWhiteSpace(cells[11])) words++;
        }
        return words == 0 ? 1 : (double)ConfidentWords(tsv, minConfidence).Count() / words;
    }

    private static LaidOutPage Lay(Page page)
    {
        var lines = page.Lines.Values.ToList();
        var words = lines.SelectMany(l => l.Words).ToList();
        // The page's size, or as far as its words reach when a TSV without a page row gave none.
        var width = Math.Max(page.Width, words.Select(w => w.Right).DefaultIfEmpty(1).Max());
        var height = Math.Max(page.Height, words.Select(w => w.Bottom).DefaultIfEmpty(1).Max());
        var size = new PageSize(width, height, "px");
        if (words.Count == 0) return new LaidOutPage("", size, []);

        var charWidth = Median(words.Where(w => w.Text.Length >= 2).Select(w => (double)w.Width / w.Text.Length)
            .DefaultIfEmpty(words.Average(w => (double)w.Width / w.Text.Length)));
        var margin = words.Min(w => w.Left);
        var ordered = lines.Select(l => l with { Top = l.Words.Min(w => w.Top) }).OrderBy(l => l.Top).ToList();
        var pitch = Median(ordered.Zip(ordered.Skip(1), (a, b) => (double)(b.Top - a.Top)).Where(p => p > 0)
            .DefaultIfEmpty(Median(words.Select(w => (double)w.Height)) * 1.5));

        var text = new StringBuilder();
        var placed = new List<PositionedWord>(words.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            if (i > 0)
            {
                var blanks = (int)Math.Round((ordered[i].Top - ordered[i - 1].Top) / pitch) - 1;
                text.Append('\n', 1 + Math.Clamp(blanks, 0, MaxBlankLines));
            }
            AppendLine(text, ordered[i].Words.OrderBy(w => w.Left).ToList(), charWidth, margin, (word, start) =>
                placed.Add(new PositionedWord(start, start + word.Text.Length, 0,
                    PageBox.Of(word.Left, word.Top, word.Right, word.Bottom, width, height), i, ordered[i].Block)));
        }
        return new LaidOutPage(text.Append('\n').ToString(), size, placed);
    }

    private static void AppendLine(StringBuilder text, List<Word> words, double charWidth, int margin, Action<Word, int> appended)
    {
        var lineStart = text.Length;
        Word? previous = null;
        foreach (var word in words)
        {
            var used = text.Length - lineStart;
            var column = (int)Math.Round((word.Left - margin) / charWidth);
            if (previous is null)
            {
                text.Append(' ', column);
            }
            else if (word.Left - previous.Right <= ColumnGapInChars * charWidth)
            {
                text.Append(' ');
            }
            else
            {
                // A new column: where the page puts it, but never closer than two spaces.
                text.Append(' ', Math.Max(2, column - used));
            }
            appended(word, text.Length);
            text.Append(word.Text);
            previous = word;
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 1;
        var middle = sorted[sorted.Length / 2];
        return middle > 0 ? middle : 1;
    }
}
