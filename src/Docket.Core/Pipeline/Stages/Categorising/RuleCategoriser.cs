using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Categorising;

/// <summary>
/// Scores every category by the weighted phrases it finds and picks the best. Confidence grows
/// with the winning score and with its lead over the runner-up: a text that is 12 parts invoice
/// and 11 parts receipt is not a confident invoice.
/// </summary>
public static partial class RuleCategoriser
{
    public const string Method = "rules";

    /// <summary>Below this no category has said enough for itself, and the document is "other".</summary>
    public const double MinScore = 3;

    /// <summary>What a document says it is (its title, a heading line).</summary>
    public const double DocumentNameWeight = 6;

    /// <summary>Structured data that states its type ("document_type": "credit_note") means it.</summary>
    public const double TypeFieldWeight = 2 * DocumentNameWeight;

    /// <summary>Confidence when nothing matched well enough; low on purpose, to send the document to a person.</summary>
    public const double UnknownConfidence = 0.2;

    /// <summary>Lines this far down still count as a document's heading ("INVOICE" under a sender's address block).</summary>
    private const int HeadingLines = 25;

    private const int MaxHeadingLength = 60;

    /// <summary>A year range opens the entries of a CV ("2019 – 2024", "04/2020 – heute").</summary>
    private const double YearRangeWeight = 1;

    /// <summary>"Köln, 28. Februar 2024" on a line of its own dates a letter.</summary>
    private const double PlaceAndDateWeight = 1.5;

    /// <summary>A total printed below zero ("Total -464.40", "Gesamtbetrag -7.401,56 €"): what credit notes print.</summary>
    private const double NegativeTotalWeight = 2;

    public static Categorisation Categorise(string content, string? title) => Categorise(new WordTokens(content), title);

    public static Categorisation Categorise(WordTokens text, string? title) => Decide(Score(text, title));

    /// <summary>The best of the scores (in the order of <see cref="Categories.All"/>), and how sure that is.</summary>
    public static Categorisation Decide(double[] scores)
    {
        int best = -1, second = -1;
        for (var i = 0; i < scores.Length; i++)
        {
            if (best < 0 || scores[i] > scores[best]) { second = best; best = i; }
            else if (second < 0 || scores[i] > scores[second]) second = i;
        }

        var top = scores[best];
        if (top < MinScore) return new Categorisation(Categories.Other, UnknownConfidence, Method);

        var margin = (top - Math.Max(0, scores[second])) / top;
        var strength = 1 - Math.Exp(-top / 6);
        return new Categorisation(Categories.All[best], Math.Round(strength * (0.5 + 0.5 * margin), 2), Method);
    }

    /// <summary>Scores in the order of <see cref="Categories.All"/>.</summary>
    public static double[] Score(string content, string? title) => Score(new WordTokens(content), title);

    public static double[] Score(WordTokens text, string? title)
    {
        var scores = new double[Categories.All.Count];
        var rules = CategoryRules.Phrases;
        Span<int> hits = stackalloc int[CategoryRules.PhraseTable.KeyCount];
        hits.Clear();
        CategoryRules.PhraseTable.Count(text, 0, text.Tokens.Length, hits);
        for (var i = 0; i < rules.Count; i++)
            scores[CategoryRules.IndexOf(rules[i].Category)] += rules[i].Weight * Math.Min(hits[i], CategoryRule.MaxHits);

        scores[CategoryRules.IndexOf(Categories.Resume)] += YearRangeWeight * Math.Min(YearRanges(text), CategoryRule.MaxHits);
        scores[CategoryRules.IndexOf(Categories.Letter)] += PlaceAndDateWeight * Math.Min(PlaceAndDateLines(text), 1);
        scores[CategoryRules.IndexOf(Categories.CreditNote)] += NegativeTotalWeight * Math.Min(NegativeTotals(text), CategoryRule.MaxHits);

        Span<int> named = stackalloc int[Categories.All.Count];
        named.Clear();
        // A subject line ("Re: Partnership Agreement") names what a letter or mail is about, not what it is.
        if (title is not null && !ReplyPrefix().IsMatch(title))
        {
            var titleWords = new WordTokens(title);
            CategoryRules.NameTable.Count(titleWords, 0, titleWords.Tokens.Length, named);
        }

        CountHeadingNames(text, named);
        Span<int> typed = stackalloc int[Categories.All.Count];
        typed.Clear();
        CountTypeFields(text, typed);
        for (var i = 0; i < scores.Length; i++)
        {
            if (named[i] > 0) scores[i] += DocumentNameWeight;
            if (typed[i] > 0) scores[i] += TypeFieldWeight;
        }

        return scores;
    }

    /// <summary>Short unlabelled lines near the top that start with a document's name.</summary>
    private static void CountHeadingNames(WordTokens text, Span<int> named)
    {
        var seen = 0;
        foreach (var line in text.Lines)
        {
            // "facture_origine: FC-1" in data, "Re: Invoice 12" in a letter: a labelled line is not the document's name.
            if (line.TokenCount == 0 || line.HasColon) continue;
            if (line.Length <= MaxHeadingLength)
                CategoryRules.NameTable.CountLongestAt(text, line.FirstToken, line.FirstToken + line.TokenCount, named);
            if (++seen == HeadingLines) break;
        }
    }

    /// <summary>"type: invoice", "document_type: credit_note", "object: invoice" in rendered JSON or CSV.</summary>
    private static void CountTypeFields(WordTokens text, Span<int> typed)
    {
        var tokens = text.Tokens;
        foreach (var line in text.Lines)
        {
            if (!line.HasColon) continue;
            var end = line.FirstToken + line.TokenCount;
            for (var i = line.FirstToken; i < end; i++)
            {
                if (tokens[i].Next != ':') continue;
                if (IsTypeKey(text, i))
                    for (var value = i + 1; value < end; value++)
                        CategoryRules.NameTable.CountAt(text, value, end, typed);
                break;
            }
        }
    }

    private static bool IsTypeKey(WordTokens text, int key)
    {
        var word = text.TextOf(text.Tokens[key]);
        if (word is "type" or "kind" or "object" or "category" or "doctype" or "typ") return true;
        return word is "document" && key > 0 && text.TextOf(text.Tokens[key - 1]) is "type";
    }

    /// <summary>A year, a dash, and another number ("2019 – 2024", "2021–2023"); an ISO date's hyphen is no range.</summary>
    private static int YearRanges(WordTokens text)
    {
        var tokens = text.Tokens;
        var ranges = 0;
        for (var i = 0; i + 1 < tokens.Length; i++)
        {
            if (!IsYear(text, tokens[i]) || (tokens[i + 1].Flags & TokenFlags.Number) == 0) continue;
            var between = text.Lower.AsSpan(tokens[i].Start + tokens[i].Length, tokens[i + 1].Start - tokens[i].Start - tokens[i].Length);
            if (between.ContainsAny('–', '—') || (between.Contains('-') && between.Length >= 3 && between.Trim().Length == 1)) ranges++;
        }

        return ranges;
    }

    private static bool IsYear(WordTokens text, in Token token) =>
        token.Length == 4 && (token.Flags & TokenFlags.Number) != 0 && text.TextOf(token) is ['1', '9', _, _] or ['2', '0', _, _];

    /// <summary>"Köln, 28. Februar 2024", "Lyon, le 9 septembre 2024", "Boston, March 5, 2024": a line that is a place and a date.</summary>
    private static int PlaceAndDateLines(WordTokens text)
    {
        var tokens = text.Tokens;
        var found = 0;
        foreach (var line in text.Lines)
        {
            if (line.TokenCount is < 4 or > 8 || line.Length > MaxHeadingLength) continue;
            var i = line.FirstToken;
            var end = i + line.TokenCount;
            // Up to three words of a place name, the last followed by a comma.
            var place = 0;
            while (i < end && place < 3 && (tokens[i].Flags & TokenFlags.Number) == 0 && tokens[i].Next != ',') { i++; place++; }
            if (i >= end || (tokens[i].Flags & TokenFlags.Number) != 0 || tokens[i].Next != ',') continue;
            i++;
            if (i < end && text.TextOf(tokens[i]) is "le" or "den" or "am" or "the") i++;
            // Then day, month (a word or a number) and year in either order, and nothing else.
            if (end - i == 3 && IsYear(text, tokens[end - 1])) found++;
        }

        return found;
    }

    /// <summary>Lines that name a total and carry an amount below zero; a discount line names no total, so it does not count.</summary>
    private static int NegativeTotals(WordTokens text)
    {
        var tokens = text.Tokens;
        var found = 0;
        foreach (var line in text.Lines)
        {
            var end = line.FirstToken + line.TokenCount;
            var namesTotal = false;
            for (var i = line.FirstToken; i < end && !namesTotal; i++) namesTotal = IsTotalWord(text.TextOf(tokens[i]));
            if (!namesTotal) continue;

            for (var i = line.FirstToken; i < end; i++)
            {
                if ((tokens[i].Flags & TokenFlags.Number) == 0 || !IsNegativeAmount(text.Lower, tokens[i].Start)) continue;
                found++;
                break;
            }
        }

        return found;
    }

    private static bool IsTotalWord(ReadOnlySpan<char> word) =>
        word is "total" or "net" or "subtotal" or "summe" or "betrag" or "gesamtbetrag" or "nettobetrag" or "bruttobetrag" or "endbetrag"
            or "netto" or "brutto" or "montant" or "ttc" or "ht" or "amount"
            or "totaal" or "subtotaal" or "bedrag" or "importe" or "totale" or "subtotale" or "importo" or "imponibile" or "valor" or "razem"
            or "suma" or "kwota" or "summa" or "belopp" or "totalt" or "beløb" or "beløp" or "yhteensä" or "veroton";

    /// <summary>"-464.40", "−7.401,56", "-€12.00": a minus right before the number (or its currency sign), with a blank or bracket before it.</summary>
    private static bool IsNegativeAmount(string text, int digitsStart)
    {
        var i = digitsStart - 1;
        if (i >= 0 && text[i] is '€' or '$' or '£') i--;
        if (i < 0 || text[i] is not ('-' or '−' or '–')) return false;
        if (i > 0 && !char.IsWhiteSpace(text[i - 1]) && text[i - 1] is not ('(' or ':' or '|' or ';')) return false;

        var j = digitsStart;
        while (j < text.Length && (char.IsAsciiDigit(text[j]) || (IsGroupSeparator(text[j]) && j + 1 < text.Length && char.IsAsciiDigit(text[j + 1])))) j++;
        // A decimal part separates an amount from "- 3 items" or a year.
        return j - digitsStart >= 3 && text[j - 3] is '.' or ',';
    }

    private static bool IsGroupSeparator(char c) => c is '.' or ',' or '\'' or ' ' or '\u00A0' or '\u202F';

    [GeneratedRegex(@"^(?:re|fwd?|aw|wg|tr|subject|betreff|objet)\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ReplyPrefix();
}
