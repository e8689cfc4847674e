using System.Collections.Frozen;

namespace Docket.Core.Pipeline.Stages.Categorising;

/// <summary>
/// Phrases compiled for matching against <see cref="WordTokens"/>. Each entry has a key (a rule, a
/// category) and alternatives separated by '|'; an alternative is words separated by spaces, where
/// <list type="bullet">
/// <item><c>^word</c> must open its line and <c>word$</c> must close it;</item>
/// <item><c>word:</c> and <c>word,</c> must be followed by that character ("To:", "Madame,");</item>
/// <item><c>rechnungs*</c> matches words that start so, <c>*vertrag</c> words that end so (German compounds);</item>
/// <item><c>{n}</c> is any number, <c>{t}</c> a clock time, <c>{w}</c> any word that is not a number;</item>
/// <item>apostrophes and hyphens split words as they do in the text ("date d'échéance" is three words).</item>
/// </list>
/// Phrases are indexed by their first word, so matching costs one lookup per token whatever the number of phrases.
/// </summary>
public sealed class PhraseTable
{
    private enum Kind : byte { Exact, Prefix, Suffix, Number, Time, Word }

    private readonly record struct Element(string Text, Kind Kind, bool LineStart, bool LineEnd, char Next);

    private readonly record struct Phrase(int Key, Element[] Elements);

    private readonly FrozenDictionary<string, Phrase[]>.AlternateLookup<ReadOnlySpan<char>> _byFirstWord;

    // Phrases that do not open with a plain word, by what their first element can match: every token
    // tried every one of them, which was most of the categorise stage on a long text.
    private readonly Phrase[] _numberFirst;
    private readonly Phrase[] _timeFirst;
    private readonly Phrase[] _wordFirst;
    private readonly Phrase[] _affixFirst;

    public int KeyCount { get; }

    public PhraseTable(IEnumerable<(int Key, string Phrases)> entries)
    {
        var byFirstWord = new Dictionary<string, List<Phrase>>(StringComparer.Ordinal);
        var wildcardFirst = new List<Phrase>();
        foreach (var (key, phrases) in entries)
        {
            KeyCount = Math.Max(KeyCount, key + 1);
            foreach (var alternative in phrases.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var phrase = new Phrase(key, Compile(alternative));
                if (phrase.Elements[0].Kind == Kind.Exact)
                {
                    if (!byFirstWord.TryGetValue(phrase.Elements[0].Text, out var list)) byFirstWord[phrase.Elements[0].Text] = list = [];
                    list.Add(phrase);
                }
                else wildcardFirst.Add(phrase);
            }
        }

        _byFirstWord = byFirstWord.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal)
            .GetAlternateLookup<ReadOnlySpan<char>>();
        Phrase[] FirstOfKind(params Kind[] kinds) => wildcardFirst.Where(p => kinds.Contains(p.Elements[0].Kind)).ToArray();
        _numberFirst = FirstOfKind(Kind.Number);
        _timeFirst = FirstOfKind(Kind.Time);
        _wordFirst = FirstOfKind(Kind.Word);
        _affixFirst = FirstOfKind(Kind.Prefix, Kind.Suffix);
    }

    /// <summary>
    /// Counts, per key, the positions in [<paramref name="from"/>, <paramref name="to"/>) where one of its
    /// phrases starts (a key counts once per position however many of its alternatives match there).
    /// </summary>
    public void Count(WordTokens text, int from, int to, Span<int> counts)
    {
        for (var i = from; i < to; i++) CountAt(text, i, to, counts);
    }

    /// <summary>Adds one to each key that has a phrase starting at token <paramref name="at"/> and ending before <paramref name="to"/>.</summary>
    public void CountAt(WordTokens text, int at, int to, Span<int> counts)
    {
        // Keys are few; a bit per key says "already counted here" without clearing an array per token.
        Span<ulong> counted = stackalloc ulong[(KeyCount + 63) / 64];
        counted.Clear();
        var token = text.Tokens[at];
        if (_byFirstWord.TryGetValue(text.TextOf(token), out var candidates))
            foreach (var phrase in candidates)
                Try(phrase, text, at, to, counts, counted);

        // Only the lists whose first element can match this token (see Matches); the order of tries does not change the counts.
        var flags = token.Flags;
        if ((flags & (TokenFlags.Number | TokenFlags.Time)) == TokenFlags.Number) TryAll(_numberFirst, text, at, to, counts, counted);
        if ((flags & TokenFlags.Time) != 0) TryAll(_timeFirst, text, at, to, counts, counted);
        if ((flags & TokenFlags.Number) == 0) TryAll(_wordFirst, text, at, to, counts, counted);
        TryAll(_affixFirst, text, at, to, counts, counted);
    }

    /// <summary>
    /// Like <see cref="CountAt"/>, but only the longest phrases that match at <paramref name="at"/> count: a heading
    /// "Factura de abono" names a credit note, not also the invoice its first word would name alone.
    /// </summary>
    public void CountLongestAt(WordTokens text, int at, int to, Span<int> counts)
    {
        var token = text.Tokens[at];
        var longest = 0;
        foreach (var phrase in Candidates(token, text))
            if (phrase.Elements.Length > longest && Matches(phrase.Elements, text, at, to)) longest = phrase.Elements.Length;
        if (longest == 0) return;

        Span<ulong> counted = stackalloc ulong[(KeyCount + 63) / 64];
        counted.Clear();
        foreach (var phrase in Candidates(token, text))
            if (phrase.Elements.Length == longest) Try(phrase, text, at, to, counts, counted);
    }

    /// <summary>The phrases whose first element can match <paramref name="token"/>, as <see cref="CountAt"/> tries them.</summary>
    private IEnumerable<Phrase> Candidates(Token token, WordTokens text)
    {
        if (_byFirstWord.TryGetValue(text.TextOf(token), out var candidates))
            foreach (var phrase in candidates) yield return phrase;
        var flags = token.Flags;
        if ((flags & (TokenFlags.Number | TokenFlags.Time)) == TokenFlags.Number) foreach (var phrase in _numberFirst) yield return phrase;
        if ((flags & TokenFlags.Time) != 0) foreach (var phrase in _timeFirst) yield return phrase;
        if ((flags & TokenFlags.Number) == 0) foreach (var phrase in _wordFirst) yield return phrase;
        foreach (var phrase in _affixFirst) yield return phrase;
    }

    private static void TryAll(Phrase[] phrases, WordTokens text, int at, int to, Span<int> counts, Span<ulong> counted)
    {
        foreach (var phrase in phrases)
            Try(phrase, text, at, to, counts, counted);
    }

    private static void Try(in Phrase phrase, WordTokens text, int at, int to, Span<int> counts, Span<ulong> counted)
    {
        var bit = 1UL << (phrase.Key & 63);
        if ((counted[phrase.Key >> 6] & bit) != 0 || !Matches(phrase.Elements, text, at, to)) return;
        counted[phrase.Key >> 6] |= bit;
        counts[phrase.Key]++;
    }

    private static bool Matches(Element[] elements, WordTokens text, int at, int to)
    {
        if (at + elements.Length > to) return false;
        var tokens = text.Tokens;
        for (var e = 0; e < elements.Length; e++)
            if (!Matches(elements[e], tokens[at + e], text.TextOf(tokens[at + e]))) return false;
        return true;
    }

    private static bool Matches(in Element element, in Token token, ReadOnlySpan<char> word)
    {
        if (element.LineStart && (token.Flags & TokenFlags.LineStart) == 0) return false;
        if (element.LineEnd && (token.Flags & TokenFlags.LineEnd) == 0) return false;
        if (element.Next != '\0' && token.Next != element.Next) return false;
        return element.Kind switch
        {
            Kind.Exact => word.SequenceEqual(element.Text),
            Kind.Prefix => word.StartsWith(element.Text, StringComparison.Ordinal),
            Kind.Suffix => word.EndsWith(element.Text, StringComparison.Ordinal),
            Kind.Number => (token.Flags & (TokenFlags.Number | TokenFlags.Time)) == TokenFlags.Number,
            Kind.Time => (token.Flags & TokenFlags.Time) != 0,
            Kind.Word => (token.Flags & TokenFlags.Number) == 0,
            _ => false,
        };
    }

    private static Element[] Compile(string phrase)
    {
        var elements = new List<Element>();
        foreach (var raw in phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = raw.ToLowerInvariant();
            var lineStart = word.StartsWith('^');
            var lineEnd = word.EndsWith('$');
            word = word.Trim('^', '$');
            var next = word.Length > 1 && word[^1] is ':' or ',' ? word[^1] : '\0';
            if (next != '\0') word = word[..^1];

            if (word is "{n}" or "{t}" or "{w}")
            {
                var kind = word switch { "{n}" => Kind.Number, "{t}" => Kind.Time, _ => Kind.Word };
                elements.Add(new Element("", kind, lineStart, lineEnd, next));
                continue;
            }

            var wildcard = word.EndsWith('*') ? Kind.Prefix : word.StartsWith('*') ? Kind.Suffix : Kind.Exact;
            var parts = word is "#" ? ["#"] : Split(word.Trim('*'));
            if (parts.Count == 0) throw new ArgumentException($"The phrase \"{phrase}\" has an element without a word.", nameof(phrase));
            for (var p = 0; p < parts.Count; p++)
            {
                var partKind = (wildcard == Kind.Prefix && p == parts.Count - 1) || (wildcard == Kind.Suffix && p == 0) ? wildcard : Kind.Exact;
                var last = p == parts.Count - 1;
                elements.Add(new Element(parts[p], partKind, lineStart && p == 0, lineEnd && last, last ? next : '\0'));
            }
        }

        return elements.ToArray();
    }

    /// <summary>The words of one phrase element as the tokeniser would cut them.</summary>
    private static List<string> Split(string word)
    {
        var tokens = new WordTokens(word);
        var parts = new List<string>(tokens.Tokens.Length);
        foreach (var token in tokens.Tokens) parts.Add(tokens.TextOf(token).ToString());
        return parts;
    }
}
