using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Fields;

public static partial class InvoiceFieldExtractor
{
    /// <summary>
    /// Whether the learned scorer chooses this document's values. CSV and JSON name every value with
    /// its key, which the rules read exactly; the scorer is for text laid out on a page.
    /// </summary>
    private static bool IsRanked(FileKind kind) => kind is not (FileKind.Csv or FileKind.Json);

    /// <summary>Only the US (and a few others that invoice in dollars) write month first; elsewhere 03/05/2024 is the 3rd of May.</summary>
    private static bool MonthFirst(Dictionary<string, Found> values) => values.GetValueOrDefault(FieldNames.Currency)?.Value == "USD";

    private static FieldCandidates.RuleValues RuleValuesOf(Dictionary<string, Found> values) =>
        new(values.Where(v => !v.Key.StartsWith('~')).ToDictionary(v => v.Key, v => v.Value.Value));

    /// <summary>
    /// Every candidate of every ranked field of a document, described as the scorer sees them: what
    /// `make train` learns from and what <see cref="Rank"/> chooses among.
    /// </summary>
    public static Dictionary<string, List<FieldCandidate>>? Candidates(ExtractedText text, FileKind kind = FileKind.Text)
    {
        if (!IsRanked(kind)) return null;
        var (document, values) = ReadByRules(text, kind);
        return FieldCandidates.For(document.Content, document.Lines, text.PageStarts, text.Geometry, RuleValuesOf(values), MonthFirst(values));
    }

    private static (Document Document, Dictionary<string, Found> Values) ReadByRules(ExtractedText text, FileKind kind)
    {
        var (document, _) = Prepare(text, kind);
        var values = new Dictionary<string, Found>();
        FindLabelledValues(document, values);
        return (document, values);
    }

    /// <summary>
    /// The scorer's choice for each field it knows, over what the rules read: the best-scored
    /// candidate when its calibrated probability reaches the field's threshold, else no value. The
    /// probability is the value's confidence.
    /// </summary>
    private static void Rank(Document doc, ExtractedText text, Dictionary<string, Found> values, FieldModel model)
    {
        var candidates = FieldCandidates.For(doc.Content, doc.Lines, text.PageStarts, text.Geometry, RuleValuesOf(values), MonthFirst(values));
        foreach (var (field, scorer) in model.Fields)
        {
            if (FieldModel.Best(scorer, candidates[field]) is { } best && best.Probability >= scorer.Threshold)
            {
                var candidate = best.Candidate;
                var found = new Found(candidate.Value, candidate.Type, best.Probability, candidate.Start, candidate.End, LineOf(doc.Lines, candidate.Start));
                // Names stay as printed, as the people who label them and the vendors themselves write them;
                // a letterhead in capitals yields to the same name in mixed case elsewhere on the page.
                values[field] = field == FieldNames.Issuer && !found.Value.Any(char.IsLower) ? SpelledElsewhere(doc.Content, found) ?? found : found;
            }
            else
            {
                values.Remove(field);
            }
        }
    }

    private static int LineOf(List<TextLine> lines, int offset)
    {
        int low = 0, high = lines.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (lines[middle].Start <= offset) low = middle;
            else high = middle - 1;
        }

        return low;
    }
}
