using Docket.Core.Pipeline.Stages.Analysis;

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

    /// <summary>What a document says it is (its title, a heading line, a type field).</summary>
    public const double DocumentNameWeight = 6;

    /// <summary>Confidence when nothing matched well enough; low on purpose, to send the document to a person.</summary>
    public const double UnknownConfidence = 0.2;

    /// <summary>What a document is shows near its top; scanning further only costs time on huge texts.</summary>
    private const int ScannedCharacters = 100_000;

    /// <summary>Lines this far down still count as a document's heading ("INVOICE" under a sender's address block).</summary>
    private const int HeadingLines = 25;

    private const int MaxHeadingLength = 60;

    public static Categorisation Categorise(string content, string? title)
    {
        var scores = Score(content, title);
        var categories = Categories.All;
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
        return new Categorisation(categories[best], Math.Round(strength * (0.5 + 0.5 * margin), 2), Method);
    }

    /// <summary>Scores in the order of <see cref="Categories.All"/>.</summary>
    public static double[] Score(string content, string? title)
    {
        // Snake-case keys of JSON and CSV ("invoice_number") read as words.
        var text = (content.Length > ScannedCharacters ? content[..ScannedCharacters] : content).Replace('_', ' ');
        // A subject line ("Re: Partnership Agreement") names what a letter or mail is about, not what it is.
        if (title is not null && ReplyPrefix().IsMatch(title)) title = null;
        var scores = new double[Categories.All.Count];

        foreach (var rule in CategoryRules.Phrases)
        {
            var hits = 0;
            for (var match = rule.Pattern.Match(text); match.Success && hits < CategoryRule.MaxHits; match = match.NextMatch())
                hits++;
            scores[IndexOf(rule.Category)] += rule.Weight * hits;
        }

        var headings = HeadingCandidates(text);
        foreach (var (category, name) in CategoryRules.DocumentNames)
        {
            var named = (title is not null && name.IsMatch(title))
                || headings.Exists(line => name.Match(line) is { Success: true, Index: 0 });
            if (named) scores[IndexOf(category)] += DocumentNameWeight;

            // Structured data that states its type ("document_type": "credit_note") means it: count it twice.
            if (TypeFieldsName(text, name)) scores[IndexOf(category)] += 2 * DocumentNameWeight;
        }

        return scores;
    }

    private static int IndexOf(string category)
    {
        for (var i = 0; i < Categories.All.Count; i++)
            if (Categories.All[i] == category) return i;
        throw new ArgumentOutOfRangeException(nameof(category), category, "Not one of Categories.All.");
    }

    /// <summary>Short lines near the top, without Markdown marks: where a document names itself.</summary>
    private static List<string> HeadingCandidates(string text)
    {
        var lines = new List<string>(HeadingLines);
        foreach (var range in text.AsSpan().Split('\n'))
        {
            var line = text.AsSpan(range).Trim().TrimStart("#|>*- ");
            // "facture_origine: FC-1" in data, "Re: Invoice 12" in a letter: a labelled line is not the document's name.
            if (line.IsEmpty || line.Contains(':')) continue;
            if (line.Length <= MaxHeadingLength) lines.Add(TextAnalyser.StripMarkup(line));
            if (lines.Count == HeadingLines) break;
        }

        return lines;
    }

    private static bool TypeFieldsName(string text, System.Text.RegularExpressions.Regex name)
    {
        foreach (System.Text.RegularExpressions.Match field in CategoryRules.TypeField.Matches(text))
            if (name.IsMatch(field.Groups["value"].Value.Replace('_', ' '))) return true;
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:re|fwd?|aw|wg|tr|subject|betreff|objet)\s*:", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ReplyPrefix();
}
