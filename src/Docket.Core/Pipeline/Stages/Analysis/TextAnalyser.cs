using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Analysis;

/// <summary>
/// Counts, title, extractive summary, keywords and language of a text. Deterministic for a given
/// text and set of document frequencies (see <see cref="DocumentFrequencies"/>), which keeps
/// reprocessing idempotent until people finalise more documents.
/// Hot paths scan spans and look words up without allocating; a 1 KB text takes microseconds.
/// </summary>
public static partial class TextAnalyser
{
    public const int MaxKeywords = 8;
    public const int MaxTitleLength = 120;
    public const int MaxSummaryLength = 400;
    public const int MaxSummarySentences = 3;

    /// <summary>Terms longer than this are never keywords (hashes, base64, URLs run together).</summary>
    private const int MaxTermLength = 40;

    private const int MinSentenceWords = 5;
    private const int MaxSentenceWords = 80;

    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> StopwordLanguages =
        Stopwords.LanguagesOf.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> BoilerplateWords =
        Stopwords.Boilerplate.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Title, summary, keywords and language come from at most this many characters from the top (whole
    /// lines): what a document is about shows in its first pages, and a 100-page statement's further
    /// pages of rows would only cost time. Counts read the whole text.
    /// </summary>
    public const int MaxCharactersRead = 100_000;

    /// <param name="frequencies">How common each term is among finalised documents; none: keywords by frequency alone.</param>
    public static DocumentAnalysis Analyse(ExtractedText text, DocumentFrequencies? frequencies = null)
    {
        var content = text.Content;
        var read = Head(content, MaxCharactersRead);
        var terms = new Dictionary<string, TermStat>(StringComparer.Ordinal);
        var language = new LanguageGuesser.Evidence();
        CountTerms(read, terms, ref language);
        var weights = Weigh(terms, frequencies?.Current);

        return new DocumentAnalysis(
            FindTitle(read),
            Summarise(read, weights),
            PickKeywords(weights),
            language.Guess(),
            text.Pages,
            CountWords(content),
            CountLines(content),
            content.Length);
    }

    /// <summary>The first <paramref name="max"/> characters, ended at the last line break among them when there is one.</summary>
    public static string Head(string content, int max)
    {
        if (content.Length <= max) return content;
        var lastBreak = content.LastIndexOf('\n', max - 1);
        return content[..(lastBreak > max / 2 ? lastBreak : max)];
    }

    /// <summary>Whitespace-separated tokens that hold at least one letter or digit ("|" and "---" are not words).</summary>
    public static int CountWords(ReadOnlySpan<char> content)
    {
        var words = 0;
        var inToken = false;
        var tokenHasWordChar = false;
        foreach (var c in content)
        {
            if (char.IsWhiteSpace(c))
            {
                if (inToken && tokenHasWordChar) words++;
                inToken = tokenHasWordChar = false;
            }
            else
            {
                inToken = true;
                tokenHasWordChar |= char.IsLetterOrDigit(c);
            }
        }

        return inToken && tokenHasWordChar ? words + 1 : words;
    }

    /// <summary>Lines as an editor shows them, blank ones included; a final line break does not open another line.</summary>
    public static int CountLines(ReadOnlySpan<char> content)
    {
        if (content.IsEmpty) return 0;
        var breaks = content.Count('\n');
        return content[^1] == '\n' ? breaks : breaks + 1;
    }

    private struct TermStat
    {
        public int Count;
        public int FirstOffset;
        public double Weight;
    }

    private static void CountTerms(string content, Dictionary<string, TermStat> terms, ref LanguageGuesser.Evidence language)
    {
        var lookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> lower = stackalloc char[MaxTermLength];
        var position = 0;
        while (NextTerm(content, ref position, out var start, out var length))
        {
            if (length > MaxTermLength) continue;
            var term = lower[..length];
            content.AsSpan(start, length).ToLowerInvariant(term);
            language.Add(term, content.AsSpan(start, length));
            if (!IsKeywordTerm(term)) continue;

            ref var stat = ref CollectionsMarshal.GetValueRefOrAddDefault(lookup, term, out var exists);
            if (!exists) stat.FirstOffset = start;
            stat.Count++;
        }
    }

    /// <summary>
    /// Words that can say what a document is about: three letters or more, no digits (codes, amounts,
    /// dates name one document), no function words, no letterhead boilerplate (legal forms, months, "tel").
    /// </summary>
    private static bool IsKeywordTerm(ReadOnlySpan<char> term) =>
        term.Length >= 3 && !term.ContainsAny(Digits) && !StopwordLanguages.ContainsKey(term) && !BoilerplateWords.Contains(term);

    /// <summary>The distinct keyword terms of a text, lower-cased: what <see cref="DocumentFrequencies"/> counts.</summary>
    public static HashSet<string> KeywordTerms(string content)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        var lookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> lower = stackalloc char[MaxTermLength];
        var position = 0;
        while (NextTerm(content, ref position, out var start, out var length))
        {
            if (length > MaxTermLength) continue;
            var term = lower[..length];
            content.AsSpan(start, length).ToLowerInvariant(term);
            if (IsKeywordTerm(term)) lookup.Add(term);
        }

        return terms;
    }

    /// <summary>A term is a run of letters and digits; apostrophes and hyphens split terms ("l'entreprise" gives "l", "entreprise").</summary>
    private static bool NextTerm(ReadOnlySpan<char> content, ref int position, out int start, out int length)
    {
        var i = position;
        while (i < content.Length && !char.IsLetterOrDigit(content[i])) i++;
        start = i;
        while (i < content.Length && char.IsLetterOrDigit(content[i])) i++;
        length = i - start;
        position = i;
        return length > 0;
    }

    private static readonly System.Buffers.SearchValues<char> Digits =
        System.Buffers.SearchValues.Create("0123456789");

    /// <summary>
    /// TF-IDF: a term's weight grows with how often this document uses it (logarithmically) and with
    /// how few finalised documents use it. Until documents are finalised every term is equally rare,
    /// and frequency alone decides.
    /// </summary>
    private static Dictionary<string, TermStat> Weigh(Dictionary<string, TermStat> terms, DocumentFrequencies.Snapshot? frequencies)
    {
        foreach (var (term, stat) in terms)
        {
            var idf = frequencies is { } f ? f.InverseFrequency(term) : 1;
            CollectionsMarshal.GetValueRefOrNullRef(terms, term).Weight = (1 + Math.Log(stat.Count)) * idf;
        }

        return terms;
    }

    private static IReadOnlyList<string> PickKeywords(Dictionary<string, TermStat> terms)
    {
        var ranked = new KeyValuePair<string, TermStat>[terms.Count];
        ((ICollection<KeyValuePair<string, TermStat>>)terms).CopyTo(ranked, 0);
        Array.Sort(ranked, static (a, b) => a.Value.Weight != b.Value.Weight
            ? b.Value.Weight.CompareTo(a.Value.Weight)
            : a.Value.FirstOffset.CompareTo(b.Value.FirstOffset));

        var keywords = new string[Math.Min(MaxKeywords, ranked.Length)];
        for (var i = 0; i < keywords.Length; i++) keywords[i] = ranked[i].Key;
        return keywords;
    }

    // ---- Title ----

    public static string? FindTitle(string content)
    {
        if (MarkdownHeading().Match(content) is { Success: true } heading)
        {
            var title = StripMarkup(heading.Groups["text"].ValueSpan);
            if (title.Length > 0) return Shorten(title);
        }

        // JSON renders as "path: value"; a top-level title is its own line.
        if (TitleLine().Match(content) is { Success: true } titleLine)
        {
            var title = StripMarkup(titleLine.Groups["text"].ValueSpan);
            if (title.Length > 0) return Shorten(title);
        }

        foreach (var range in content.AsSpan().Split('\n'))
        {
            var line = content.AsSpan(range).Trim();
            // A salutation ("Dear Ms. Johnson,") opens a letter but does not name it.
            if (line.IsEmpty || line[0] == '|' || line[^1] == ',' || !line.ContainsAnyExcept(NonText)) continue;
            var title = StripMarkup(line);
            return title.Length is > 0 and <= MaxTitleLength ? title : null;
        }

        return null;
    }

    private static string Shorten(string title) =>
        title.Length <= MaxTitleLength ? title : title[..title.LastIndexOf(' ', MaxTitleLength)].TrimEnd() + "…";

    private static readonly System.Buffers.SearchValues<char> NonText =
        System.Buffers.SearchValues.Create(" \t-=_*#~`|:.+");

    /// <summary>Removes Markdown emphasis, code ticks, link targets and heading marks; collapses whitespace.</summary>
    public static string StripMarkup(ReadOnlySpan<char> text)
    {
        var plain = !text.IsEmpty && !text.ContainsAny(MarkupOrSpace) && text[0] != ' ' && text[^1] != ' '
            && !text.Contains("  ", StringComparison.Ordinal);
        if (plain) return text.ToString();

        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '*' or '`' or '#' || (c == '_' && i + 1 < text.Length && text[i + 1] == '_'))
            {
                if (c == '_') i++;
                continue;
            }

            // [label](target) keeps the label only.
            if (c == ']' && i + 1 < text.Length && text[i + 1] == '(')
            {
                var close = text[i..].IndexOf(')');
                if (close > 0) { i += close; continue; }
            }

            if (c == '[' && text[i..].IndexOf("](") > 0) continue;
            if (char.IsWhiteSpace(c)) { pendingSpace = builder.Length > 0; continue; }
            if (pendingSpace) { builder.Append(' '); pendingSpace = false; }
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> MarkupOrSpace =
        System.Buffers.SearchValues.Create("*`#_[\t\n\r\u00A0");

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]+(?<text>[^\n]*?)[ \t#]*$", RegexOptions.Multiline)]
    private static partial Regex MarkdownHeading();

    [GeneratedRegex(@"^title[ \t]*:[ \t]*(?<text>[^\n]+)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex TitleLine();

    // ---- Summary ----

    private readonly record struct Sentence(string Text, int Order, double Score);

    /// <summary>
    /// The most informative sentences of running text, in their original order. A document without
    /// any (a till receipt, a CSV export, an invoice that is all table) gets its most informative
    /// lines instead, never a table's header row.
    /// </summary>
    private static string Summarise(string content, Dictionary<string, TermStat> terms)
    {
        var maxWeight = double.Epsilon;
        foreach (var stat in terms.Values) maxWeight = Math.Max(maxWeight, stat.Weight);

        var lookup = terms.GetAlternateLookup<ReadOnlySpan<char>>();
        var sentences = new List<Sentence>();
        foreach (var unit in ProseUnits(content))
        foreach (var sentence in SplitSentences(unit))
        {
            var words = CountWords(sentence);
            if (words is < MinSentenceWords or > MaxSentenceWords || !ReadsAsProse(sentence)) continue;
            sentences.Add(new Sentence(sentence, sentences.Count, Score(sentence, lookup, maxWeight)));
        }

        if (sentences.Count > 0) return Pick(sentences, " ");

        foreach (var line in InformativeLines(content))
            sentences.Add(new Sentence(line, sentences.Count, Score(line, lookup, maxWeight)));
        return sentences.Count > 0 ? Pick(sentences, " · ") : "";
    }

    private static string Pick(List<Sentence> sentences, string separator)
    {
        sentences.Sort(static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Order.CompareTo(b.Order));
        var chosen = new List<Sentence>(MaxSummarySentences);
        var length = 0;
        foreach (var sentence in sentences)
        {
            var added = sentence.Text.Length + (chosen.Count > 0 ? separator.Length : 0);
            if (length + added > MaxSummaryLength) continue;
            chosen.Add(sentence);
            length += added;
            if (chosen.Count == MaxSummarySentences) break;
        }

        if (chosen.Count == 0) return CutAtWord(sentences[0].Text, MaxSummaryLength);

        chosen.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return string.Join(separator, chosen.Select(s => s.Text));
    }

    /// <summary>
    /// Sentences are made with function words: "Bitte überweisen Sie den Betrag bis zum 12. Mai" has
    /// five, a letterhead or bank line ("Müller GmbH · Industriestr. 12 · 70565 Stuttgart", "IBAN DE27 ...") none.
    /// </summary>
    private static bool ReadsAsProse(string sentence)
    {
        Span<char> lower = stackalloc char[MaxTermLength];
        int words = 0, functionWords = 0;
        var position = 0;
        while (NextTerm(sentence, ref position, out var start, out var length))
        {
            words++;
            if (length > MaxTermLength) continue;
            var term = lower[..length];
            sentence.AsSpan(start, length).ToLowerInvariant(term);
            if (StopwordLanguages.ContainsKey(term)) functionWords++;
        }

        return functionWords >= 2 && functionWords * 6 >= words;
    }

    /// <summary>
    /// Lines with words on them, minus what only frames the content: rules, table header rows (the
    /// first row of a table and Markdown's separator row), headings already given as the title.
    /// </summary>
    private static List<string> InformativeLines(string content)
    {
        var lines = new List<string>();
        foreach (var range in content.AsSpan().Split('\n'))
        {
            var line = content.AsSpan(range).Trim();
            var tableRow = IsTableRow(line);
            // A row without figures names columns ("Item | Qty | Unit price"); the figures are in the rows below.
            var header = tableRow && !line.ContainsAny(Digits);
            if (line.IsEmpty || header || line[0] == '#' || !line.ContainsAnyExcept(NonText) || CountWords(line) < 2) continue;
            var text = line.Contains('|') ? Cells(line) : StripMarkup(line);
            if (text.Length > 0) lines.Add(text.Length <= MaxSummaryLength ? text : CutAtWord(text, MaxSummaryLength));
        }

        return lines;
    }

    /// <summary>"| Invoice No. | PP-7 |" reads "Invoice No.: PP-7"; longer rows list their cells.</summary>
    private static string Cells(ReadOnlySpan<char> row)
    {
        var cells = new List<string>();
        foreach (var range in row.Split('|'))
            if (StripMarkup(row[range].Trim()) is { Length: > 0 } cell) cells.Add(cell);
        return cells.Count == 2 ? $"{cells[0].TrimEnd(':')}: {cells[1]}" : string.Join(", ", cells);
    }

    /// <summary>A CSV row (cells joined by " | "), a Markdown table row, or columns laid out with runs of spaces.</summary>
    private static bool IsTableRow(ReadOnlySpan<char> line) =>
        line.Length > 0 && (line[0] == '|' || line.Count(" | ") >= 1 || line.Contains("   ", StringComparison.Ordinal));

    /// <summary>
    /// The sentence's term weights (TF-IDF) over the square root of its term count: rewards sentences
    /// about what the document is about without simply preferring the longest.
    /// </summary>
    private static double Score(string sentence, Dictionary<string, TermStat>.AlternateLookup<ReadOnlySpan<char>> terms, double maxWeight)
    {
        Span<char> lower = stackalloc char[MaxTermLength];
        double sum = 0;
        var count = 0;
        var position = 0;
        while (NextTerm(sentence, ref position, out var start, out var length))
        {
            if (length > MaxTermLength) continue;
            var term = lower[..length];
            sentence.AsSpan(start, length).ToLowerInvariant(term);
            if (!terms.TryGetValue(term, out var stat)) continue;
            sum += stat.Weight / maxWeight;
            count++;
        }

        return count == 0 ? 0 : sum / Math.Sqrt(count);
    }

    /// <summary>
    /// Paragraphs of running text and list items. Headings, table rows, rules and short unpunctuated
    /// lines ("Executive Summary") are not prose; wrapped lines of one paragraph are joined.
    /// </summary>
    private static IEnumerable<string> ProseUnits(string content)
    {
        var paragraph = new StringBuilder();
        for (var offset = 0; offset < content.Length;)
        {
            var end = content.IndexOf('\n', offset);
            if (end < 0) end = content.Length;
            var length = end - offset;
            var lineStart = offset;
            offset = end + 1;
            var line = content.AsSpan(lineStart, length).Trim();
            var listItem = ListMarkerLength(line);
            var notProse = line.IsEmpty || line[0] is '#' or '>' || !line.ContainsAnyExcept(NonText) || IsTableRow(line)
                || line.Count(" · ") >= 2 // a letterhead: name · street · town
                // Short unpunctuated lines are headings; a short line ending in a comma is a salutation or an address.
                || (listItem == 0 && line.Length < 50 && (!EndsSentence(line) || line[^1] == ','));

            if (notProse || listItem > 0)
            {
                if (paragraph.Length > 0) { yield return paragraph.ToString(); paragraph.Clear(); }
                if (listItem > 0) yield return StripMarkup(content.AsSpan(lineStart, length).Trim()[listItem..]);
                continue;
            }

            if (paragraph.Length > 0) paragraph.Append(' ');
            paragraph.Append(StripMarkup(line[FieldNameLength(line)..]));
        }

        if (paragraph.Length > 0) yield return paragraph.ToString();
    }

    /// <summary>"services[0].description: " in rendered JSON, "Subject: " in a header: a one-token name before the text.</summary>
    private static int FieldNameLength(ReadOnlySpan<char> line)
    {
        var colon = line.IndexOf(": ");
        return colon > 0 && !line[..colon].ContainsAny(' ', '\t') ? colon + 2 : 0;
    }

    private static bool EndsSentence(ReadOnlySpan<char> line) => line[^1] is '.' or '!' or '?' or ':' or ';' or ',';

    /// <summary>"- ", "* ", "+ ", "1. ", "2) " open a list item.</summary>
    private static int ListMarkerLength(ReadOnlySpan<char> line)
    {
        if (line.Length > 2 && line[0] is '-' or '*' or '+' or '•' && line[1] == ' ') return 2;
        var digits = 0;
        while (digits < line.Length && digits < 3 && char.IsAsciiDigit(line[digits])) digits++;
        return digits > 0 && line.Length > digits + 2 && line[digits] is '.' or ')' && line[digits + 1] == ' '
            ? digits + 2
            : 0;
    }

    /// <summary>Ends a sentence at . ! ? followed by a space and a capital or digit, so "a.m. to" stays whole.</summary>
    private static IEnumerable<string> SplitSentences(string paragraph)
    {
        var start = 0;
        for (var i = 0; i + 2 < paragraph.Length; i++)
        {
            if (paragraph[i] is not ('.' or '!' or '?') || paragraph[i + 1] != ' ') continue;
            var next = paragraph[i + 2];
            if (!char.IsUpper(next) && !char.IsDigit(next) && next is not ('"' or '«' or '“')) continue;
            if (IsOrdinal(paragraph.AsSpan(start, i - start))) continue;
            yield return paragraph[start..(i + 1)];
            start = i + 2;
        }

        if (start < paragraph.Length) yield return paragraph[start..];
    }

    /// <summary>German writes "31. Mai" and "3. Quartal": a one- or two-digit number before the dot is no sentence end.</summary>
    private static bool IsOrdinal(ReadOnlySpan<char> beforeDot)
    {
        var digits = 0;
        for (var i = beforeDot.Length - 1; i >= 0 && char.IsAsciiDigit(beforeDot[i]); i--) digits++;
        return digits is 1 or 2 && (digits == beforeDot.Length || beforeDot[^(digits + 1)] == ' ');
    }

    private static string CutAtWord(string text, int max)
    {
        if (text.Length <= max) return text;
        var space = text.LastIndexOf(' ', max - 1);
        return text[..(space > 0 ? space : max - 1)].TrimEnd(',', ';', ':') + "…";
    }
}
