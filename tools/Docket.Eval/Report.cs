using System.Globalization;
using System.Text;

namespace Docket.Eval;

internal static class Report
{
    private const string Begin = "<!-- make eval: begin -->";
    private const string End = "<!-- make eval: end -->";

    public static string Render(IReadOnlyList<Scored> scored, TimeSpan elapsed, string samples)
    {
        var text = new StringBuilder();
        var invoices = scored.Where(s => s.Document.IsInvoiceLike).ToList();
        text.AppendLine($"`make eval` over `{Path.GetFileName(samples.TrimEnd('/'))}`: {scored.Count} labelled documents, "
            + $"one `docket extract` run of {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s "
            + $"({(elapsed.TotalMilliseconds / Math.Max(1, scored.Count)).ToString("0", CultureInfo.InvariantCulture)} ms a document, start-up included). "
            + $"{scored.Count(s => s.Failed)} failed to process.");
        text.AppendLine();
        text.AppendLine($"**Invoices, receipts and credit notes** ({invoices.Count} documents): share of documents whose field is exactly right.");
        text.AppendLine();
        Table(text, invoices);
        text.AppendLine();
        text.AppendLine($"**All documents** ({scored.Count}, the other {scored.Count - invoices.Count} must come out with every field null), "
            + "with category and language:");
        text.AppendLine();
        Table(text, scored, withClassification: true);
        return text.ToString();
    }

    private static void Table(StringBuilder text, IReadOnlyList<Scored> scored, bool withClassification = false)
    {
        var columns = new List<string> { "", "docs" };
        if (withClassification) columns.AddRange(["category", "language"]);
        columns.AddRange(Truth.Fields);
        columns.Add("all 8");
        text.AppendLine("| " + string.Join(" | ", columns) + " |");
        text.AppendLine("|" + string.Join("|", columns.Select((_, i) => i == 0 ? "---" : "--:")) + "|");

        var rows = Truth.Groups.Select(g => (g, scored.Where(s => s.Document.Group == g).ToList()))
            .Concat(scored.Select(s => s.Document.Set).Distinct().Order().Select(set => ($"set {set}", scored.Where(s => s.Document.Set == set).ToList())))
            .Append(("**all**", scored.ToList()));
        foreach (var (name, rowDocuments) in rows)
        {
            if (rowDocuments.Count == 0) continue;
            var cells = new List<string> { name, rowDocuments.Count.ToString(CultureInfo.InvariantCulture) };
            if (withClassification)
            {
                cells.Add(Percent(rowDocuments, s => s.CategoryRight));
                cells.Add(Percent(rowDocuments, s => s.LanguageRight));
            }
            cells.AddRange(Truth.Fields.Select(f => Percent(rowDocuments, s => s.FieldRight[f])));
            cells.Add(Percent(rowDocuments, s => s.AllFieldsRight));
            text.AppendLine("| " + string.Join(" | ", cells) + " |");
        }
    }

    private static string Percent(List<Scored> documents, Func<Scored, bool> right) =>
        (100.0 * documents.Count(right) / documents.Count).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string RenderMisses(IReadOnlyList<Scored> scored)
    {
        var text = new StringBuilder("Misses:\n");
        foreach (var s in scored.Where(s => s.Misses.Count > 0))
            foreach (var miss in s.Misses)
                text.AppendLine($"  {s.Document.File} [{s.Document.Group}] {miss.Field}: expected {miss.Expected}, got {miss.Got}");
        return text.ToString();
    }

    /// <summary>Replaces the marked section of <paramref name="path"/>, or appends one, so the rest of the file is left as written.</summary>
    public static void WriteSection(string path, string report)
    {
        var existing = File.Exists(path) ? File.ReadAllText(path) : "";
        var section = $"{Begin}\n{report.TrimEnd()}\n{End}";
        var begin = existing.IndexOf(Begin, StringComparison.Ordinal);
        var end = existing.IndexOf(End, StringComparison.Ordinal);
        var updated = begin >= 0 && end > begin
            ? existing[..begin] + section + existing[(end + End.Length)..]
            : existing.TrimEnd() + "\n\n## Invoice extraction accuracy (`make eval`)\n\n" + section + "\n";
        File.WriteAllText(path, updated);
    }
}
