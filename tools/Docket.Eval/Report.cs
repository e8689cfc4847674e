using System.Globalization;
using System.Text;

namespace Docket.Eval;

internal static class Report
{
    public static string Render(string title, IReadOnlyList<Scored> scored)
    {
        var text = new StringBuilder();
        text.AppendLine(title);
        text.AppendLine();
        foreach (var set in scored.Select(s => s.Truth.Set).Distinct().Order(StringComparer.Ordinal))
        {
            var ofSet = scored.Where(s => s.Truth.Set == set).ToList();
            var invoices = ofSet.Where(s => s.Truth.IsInvoiceLike).ToList();
            var fields = invoices.SelectMany(s => s.Truth.Scored).Distinct().OrderBy(f => Array.IndexOf(Truth.Fields, f)).ToList();
            var real = ofSet.Where(s => s.Document.Group != Truth.GoldText).ToList();
            text.AppendLine($"**{set}**: {real.Count} documents ({invoices.Count(s => s.Document.Group != Truth.GoldText)} invoices, receipts and credit notes"
                + $"{(invoices.Count < ofSet.Count ? $"; the other {ofSet.Count - invoices.Count} must come out with no fields" : "")}), "
                + $"{real.Count(s => s.Output.Error is not null)} failed to process. Share of documents whose field is exactly right"
                + $"{(fields.Count < Truth.Fields.Length ? $" (the set labels {string.Join(", ", fields)} only)" : "")}:");
            text.AppendLine();
            Table(text, ofSet.Where(s => s.Truth.IsInvoiceLike || invoices.Count == 0).ToList(), fields);
            text.AppendLine();
        }

        Reliability(text, scored.Where(s => s.Truth.IsInvoiceLike && s.Document.Group != Truth.GoldText).ToList());
        return text.ToString();
    }

    private static void Table(StringBuilder text, List<Scored> scored, List<string> fields)
    {
        var columns = new List<string> { "", "docs", "category" };
        columns.AddRange(fields);
        columns.Add("all");
        text.AppendLine("| " + string.Join(" | ", columns) + " |");
        text.AppendLine("|" + string.Join("|", columns.Select((_, i) => i == 0 ? "---" : "--:")) + "|");

        var languages = scored.Select(s => s.Truth.Language ?? "?").Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = Truth.Groups.Select(g => (g, scored.Where(s => s.Document.Group == g).ToList()))
            .Concat(languages.Count > 1
                ? languages.Select(l => ($"language {l}", scored.Where(s => (s.Truth.Language ?? "?") == l && s.Document.Group != Truth.GoldText).ToList()))
                : [])
            .Append(("**all**", scored.Where(s => s.Document.Group != Truth.GoldText).ToList()));
        foreach (var (name, documents) in rows)
        {
            if (documents.Count == 0) continue;
            var cells = new List<string> { name, documents.Count.ToString(CultureInfo.InvariantCulture), Percent(documents, s => s.CategoryRight) };
            cells.AddRange(fields.Select(f => Percent(documents, s => s.FieldRight.GetValueOrDefault(f, true))));
            cells.Add(Percent(documents, s => s.AllFieldsRight));
            text.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static readonly double[] Buckets = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98];

    /// <summary>
    /// Confidence against correctness over every labelled field of every invoice-like document: a field
    /// left empty counts at confidence 0 (right when the document has no such value).
    /// </summary>
    private static void Reliability(StringBuilder text, List<Scored> scored)
    {
        var slots = scored.SelectMany(s => s.FieldRight.Select(f => (Confidence: s.Output.Fields.GetValueOrDefault(f.Key)?.Confidence ?? 0, Right: f.Value))).ToList();
        if (slots.Count == 0) return;
        var sure = slots.Where(s => s.Confidence >= 0.9).ToList();
        text.AppendLine($"**Confidence** over the {slots.Count} labelled fields of these documents (a field left empty counts at 0): "
            + $"{Share(sure.Count, slots.Count)} at 0.9 or more, {(sure.Count == 0 ? "none" : Share(sure.Count(s => s.Right), sure.Count))} of those right.");
        text.AppendLine();
        text.AppendLine("| confidence | fields | right |");
        text.AppendLine("|---|--:|--:|");
        for (var i = 0; i < Buckets.Length; i++)
        {
            var low = Buckets[i];
            var high = i + 1 < Buckets.Length ? Buckets[i + 1] : 1.0001;
            var inBucket = slots.Where(s => s.Confidence >= low && s.Confidence < high).ToList();
            if (inBucket.Count == 0) continue;
            var label = i + 1 < Buckets.Length ? $"{low:0.00}-{high:0.00}" : $"{low:0.00}-1.00";
            text.AppendLine($"| {label} | {inBucket.Count} | {Share(inBucket.Count(s => s.Right), inBucket.Count)} |");
        }

        text.AppendLine();
        text.AppendLine("| field | labelled | right | at 0.9 or more | right of those |");
        text.AppendLine("|---|--:|--:|--:|--:|");
        foreach (var field in Truth.Fields)
        {
            var ofField = scored.Where(s => s.FieldRight.ContainsKey(field))
                .Select(s => (Confidence: s.Output.Fields.GetValueOrDefault(field)?.Confidence ?? 0, Right: s.FieldRight[field])).ToList();
            if (ofField.Count == 0) continue;
            var high = ofField.Where(f => f.Confidence >= 0.9).ToList();
            text.AppendLine($"| {field} | {ofField.Count} | {Share(ofField.Count(f => f.Right), ofField.Count)} | {Share(high.Count, ofField.Count)} | "
                + $"{(high.Count == 0 ? "-" : Share(high.Count(f => f.Right), high.Count))} |");
        }

        text.AppendLine();
    }

    private static string Share(int part, int whole) => (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Percent(List<Scored> documents, Func<Scored, bool> right) =>
        (100.0 * documents.Count(right) / documents.Count).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string RenderMisses(IReadOnlyList<Scored> scored)
    {
        var text = new StringBuilder("Misses:\n");
        foreach (var s in scored.Where(s => s.Misses.Count > 0))
            foreach (var miss in s.Misses)
                text.AppendLine($"  {s.Document.Key} [{s.Document.Group}] {miss.Field}: expected {miss.Expected}, got {miss.Got}");
        return text.ToString();
    }

    /// <summary>Replaces the section between <paramref name="marker"/>'s begin and end lines in <paramref name="path"/>, or appends one under <paramref name="heading"/>.</summary>
    public static void WriteSection(string path, string marker, string heading, string report)
    {
        var begin = $"<!-- {marker}: begin -->";
        var end = $"<!-- {marker}: end -->";
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var section = $"{begin}\n{report.TrimEnd()}\n{end}";
        var from = existing.IndexOf(begin, StringComparison.Ordinal);
        var to = existing.IndexOf(end, StringComparison.Ordinal);
        var updated = from >= 0 && to > from
            ? existing[..from] + section + existing[(to + end.Length)..]
            : existing.TrimEnd() + $"\n\n## {heading}\n\n" + section + "\n";
        File.WriteAllText(path, updated);
    }
}
