using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Bench;

/// <summary>
/// One measured variant, as a scenario prints it on stdout at the end of one run (<c>BenchResult.Print</c>):
/// <c>BENCH-RESULT {"scenario":"queue","variant":"postgres, 2 processes","metrics":{"jobs_per_s":5230.1}}</c>.
/// </summary>
public sealed record ResultLine(string Scenario, string Variant, IReadOnlyDictionary<string, double> Metrics)
{
    public const string Prefix = "BENCH-RESULT ";

    /// <summary>Null for every line that is not a well-formed result line; the reason goes to <paramref name="error"/>.</summary>
    public static ResultLine? Parse(string line, out string? error)
    {
        error = null;
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        try
        {
            using var json = JsonDocument.Parse(line[Prefix.Length..]);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("scenario", out var scenario) || scenario.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("variant", out var variant) || variant.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Object)
            {
                error = "a result line needs the strings \"scenario\" and \"variant\" and the object \"metrics\"";
                return null;
            }
            var values = new Dictionary<string, double>();
            foreach (var metric in metrics.EnumerateObject())
            {
                if (metric.Value.ValueKind != JsonValueKind.Number)
                {
                    error = $"metric \"{metric.Name}\" is not a number";
                    return null;
                }
                values[metric.Name] = metric.Value.GetDouble();
            }
            return new ResultLine(scenario.GetString()!, variant.GetString()!, values);
        }
        catch (JsonException ex)
        {
            error = $"not JSON: {ex.Message}";
            return null;
        }
    }
}

/// <summary>One child process of a scenario: how it ended and what it printed.</summary>
public sealed record ScenarioRun(int ExitCode, bool TimedOut, double Seconds, IReadOnlyList<ResultLine> Results)
{
    /// <summary>The convention of Program.cs: an unknown subcommand (or unusable arguments) prints the usage and exits 2.</summary>
    public const int UsageExitCode = 2;

    [JsonIgnore]
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>Every run of one registered scenario in one suite run; kept in the file so a partial run can keep it.</summary>
public sealed record ScenarioRecord(string Arguments, DateTimeOffset Started, string Commit, double LoadBefore, double LoadAfter,
    IReadOnlyList<ScenarioRun> Runs);

public enum Comparison { AtLeast, AtMost, Below }

/// <summary>
/// A goal from the benchmarks issue. <see cref="Metric"/> is a metric name, or <c>*suffix</c> for every metric
/// ending so ("*p99_ms": every query kind's p99); it applies to every variant its scenario prints.
/// </summary>
public sealed record Goal(string Metric, Comparison Comparison, double Threshold)
{
    public static Goal AtLeast(string metric, double threshold) => new(metric, Comparison.AtLeast, threshold);
    public static Goal AtMost(string metric, double threshold) => new(metric, Comparison.AtMost, threshold);
    public static Goal Below(string metric, double threshold) => new(metric, Comparison.Below, threshold);

    public bool Matches(string metric) =>
        Metric.StartsWith('*') ? metric.EndsWith(Metric[1..], StringComparison.Ordinal) : metric == Metric;

    public bool IsMet(double value) => Comparison switch
    {
        Comparison.AtLeast => value >= Threshold,
        Comparison.AtMost => value <= Threshold,
        _ => value < Threshold,
    };

    public string Describe(string metric) =>
        $"{metric} {Comparison switch { Comparison.AtLeast => ">=", Comparison.AtMost => "<=", _ => "<" }} {BenchReport.Format(Threshold)}";
}

/// <summary>A registered scenario: the subcommand line the suite runs, and the goals its figures answer to.</summary>
public sealed record Scenario(string Arguments, params Goal[] Goals)
{
    /// <summary>The subcommand, which also names the scenario's table and what <c>--only</c> selects.</summary>
    public string Name => Arguments.Split(' ', 2)[0];
}

/// <summary>What the file says about the machine and the tree, as label/value rows.</summary>
public sealed record SuiteHeader(DateTimeOffset Started, TimeSpan Duration, string Commit,
    IReadOnlyList<(string Label, string Value)> Machine, IReadOnlyList<(string Label, string Value)> Versions);

public static class BenchJson
{
    /// <summary>The default encoder escapes '&lt;' and '&gt;', so no value can close the HTML comment a record lives in.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };
}

public static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("The median of nothing.", nameof(values));
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}

/// <summary>Renders the generated part of docs/benchmarks.md and puts it between its markers.</summary>
public static class BenchReport
{
    public const string BeginMarker = "<!-- make bench: begin -->";
    public const string EndMarker = "<!-- make bench: end -->";
    private const string RecordPrefix = "<!-- bench-record: ";
    private const string RecordSuffix = " -->";

    /// <summary>
    /// Replaces what lies between the markers and keeps every other byte of the file. Without markers the
    /// block goes before the first second-level heading (after the intro), or at the end.
    /// </summary>
    public static string ReplaceBetweenMarkers(string file, string content)
    {
        var block = BeginMarker + "\n" + content.TrimEnd('\n') + "\n" + EndMarker;
        var begin = file.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = file.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
            return string.Concat(file.AsSpan(0, begin), block, file.AsSpan(end + EndMarker.Length));
        if (begin >= 0 || end >= 0)
            throw new InvalidDataException($"The file has only one of '{BeginMarker}' and '{EndMarker}', or them out of order.");

        var heading = file.StartsWith("## ", StringComparison.Ordinal) ? 0 : file.IndexOf("\n## ", StringComparison.Ordinal) + 1;
        if (heading <= 0)
            return file + (file.Length == 0 || file.EndsWith('\n') ? "" : "\n") + "\n" + block + "\n";
        return string.Concat(file.AsSpan(0, heading), block, "\n\n", file.AsSpan(heading));
    }

    /// <summary>The records a previous suite run left between the markers (none when there are no markers).</summary>
    public static List<ScenarioRecord> ReadRecords(string file)
    {
        var begin = file.IndexOf(BeginMarker, StringComparison.Ordinal);
        var end = file.IndexOf(EndMarker, StringComparison.Ordinal);
        if (begin < 0 || end < begin) return [];
        return file[begin..end].Split('\n')
            .Where(line => line.StartsWith(RecordPrefix, StringComparison.Ordinal) && line.EndsWith(RecordSuffix, StringComparison.Ordinal))
            .Select(line => JsonSerializer.Deserialize<ScenarioRecord>(line[RecordPrefix.Length..^RecordSuffix.Length], BenchJson.Options)!)
            .ToList();
    }

    public static string Render(SuiteHeader header, IReadOnlyList<Scenario> scenarios, IReadOnlyList<ScenarioRecord> records)
    {
        var byArguments = records.ToDictionary(r => r.Arguments);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Generated by `make bench` on {header.Started:yyyy-MM-dd HH:mm} UTC in {header.Duration.TotalMinutes:0} min, tree {header.Commit}. ")
            .Append("Each figure is the median of the runs of its scenario (each run a separate process), with the ")
            .Append("minimum and maximum in brackets. Scenarios marked \"earlier run\" were not part of this run and keep their figures.\n\n");
        AppendKeyValues(text, "Machine", header.Machine);
        AppendKeyValues(text, "Versions", header.Versions);

        foreach (var group in scenarios.GroupBy(s => s.Name))
        {
            text.Append(CultureInfo.InvariantCulture, $"### {group.Key}\n\n");
            AppendScenarioTable(text, header, group.ToList(), byArguments);
        }

        text.Append("### Goals\n\n| goal | scenario | variant | median | |\n|---|---|---|--:|---|\n");
        foreach (var scenario in scenarios.Where(s => s.Goals.Length > 0))
            foreach (var goal in scenario.Goals)
                AppendGoalRows(text, scenario, goal, byArguments.GetValueOrDefault(scenario.Arguments));
        text.Append('\n');

        foreach (var scenario in scenarios)
            if (byArguments.TryGetValue(scenario.Arguments, out var record))
                text.Append(RecordPrefix).Append(JsonSerializer.Serialize(record, BenchJson.Options)).Append(RecordSuffix).Append('\n');
        return text.ToString();
    }

    private static void AppendKeyValues(StringBuilder text, string title, IReadOnlyList<(string Label, string Value)> rows)
    {
        text.Append(CultureInfo.InvariantCulture, $"| {title.ToLowerInvariant()} | |\n|---|---|\n");
        foreach (var (label, value) in rows) text.Append(CultureInfo.InvariantCulture, $"| {label} | {Cell(value)} |\n");
        text.Append('\n');
    }

    private static void AppendScenarioTable(StringBuilder text, SuiteHeader header, List<Scenario> scenarios,
        Dictionary<string, ScenarioRecord> records)
    {
        var rows = new List<(Scenario Scenario, ScenarioRecord Record, string Variant, Dictionary<string, List<double>> Values)>();
        var notes = new List<string>();
        foreach (var scenario in scenarios)
        {
            if (!records.TryGetValue(scenario.Arguments, out var record))
            {
                notes.Add($"`{scenario.Arguments}`: not run.");
                continue;
            }
            var status = RunStatus(record);
            if (status is not null) notes.Add($"`{scenario.Arguments}`: {status}");
            if (record.Started < header.Started)
                notes.Add($"`{scenario.Arguments}`: earlier run, {record.Started:yyyy-MM-dd HH:mm} UTC, tree {record.Commit}.");
            foreach (var variant in Variants(record))
                rows.Add((scenario, record, variant.Key, variant.Value));
        }

        if (rows.Count > 0)
        {
            var metrics = rows.SelectMany(r => r.Values.Keys).Distinct().ToList();
            text.Append("| variant | runs | load before-after | ").AppendJoin(" | ", metrics).Append(" |\n|---|--:|--:|")
                .Append(string.Concat(metrics.Select(_ => "--:|"))).Append('\n');
            foreach (var (_, record, variant, values) in rows)
            {
                var runs = record.Runs.Count(r => r.Succeeded && r.Results.Any(x => x.Variant == variant));
                text.Append(CultureInfo.InvariantCulture,
                    $"| {Cell(variant)} | {runs} of {record.Runs.Count} | {record.LoadBefore:0.0}-{record.LoadAfter:0.0} | ");
                text.AppendJoin(" | ", metrics.Select(m => values.TryGetValue(m, out var v) ? Summary(v) : "")).Append(" |\n");
            }
            text.Append('\n');
        }
        foreach (var note in notes) text.Append("- ").Append(note).Append('\n');
        if (notes.Count > 0) text.Append('\n');
    }

    /// <summary>Null when every run succeeded and printed results; otherwise what to tell the reader.</summary>
    public static string? RunStatus(ScenarioRecord record)
    {
        var failed = record.Runs.Where(r => !r.Succeeded).ToList();
        if (record.Runs.Count > 0 && failed.Count == record.Runs.Count && failed.All(r => r.ExitCode == ScenarioRun.UsageExitCode && r.Results.Count == 0))
            return "not run: the bench does not know this subcommand or its arguments (exit 2, usage).";
        var parts = new List<string>();
        if (failed.Count > 0)
            parts.Add($"**{failed.Count} of {record.Runs.Count} runs failed** (" + string.Join(", ", failed.Select(r =>
                r.TimedOut ? $"timed out after {r.Seconds:0} s" : $"exit {r.ExitCode}")) + "); their output does not count.");
        var silent = record.Runs.Count(r => r.Succeeded && r.Results.Count == 0);
        if (silent > 0) parts.Add($"{silent} of {record.Runs.Count} runs printed no BENCH-RESULT line.");
        return parts.Count == 0 ? null : string.Join(" ", parts);
    }

    /// <summary>Per variant, per metric, the values of every successful run, in first-seen order.</summary>
    public static Dictionary<string, Dictionary<string, List<double>>> Variants(ScenarioRecord record)
    {
        var variants = new Dictionary<string, Dictionary<string, List<double>>>();
        foreach (var result in record.Runs.Where(r => r.Succeeded).SelectMany(r => r.Results))
        {
            var key = result.Scenario == record.Arguments.Split(' ', 2)[0] ? result.Variant : $"{result.Scenario}: {result.Variant}";
            if (!variants.TryGetValue(key, out var metrics)) variants[key] = metrics = [];
            foreach (var (name, value) in result.Metrics)
            {
                if (!metrics.TryGetValue(name, out var values)) metrics[name] = values = [];
                values.Add(value);
            }
        }
        return variants;
    }

    private static void AppendGoalRows(StringBuilder text, Scenario scenario, Goal goal, ScenarioRecord? record)
    {
        var matched = false;
        if (record is not null)
            foreach (var (variant, metrics) in Variants(record))
                foreach (var (metric, values) in metrics.Where(m => goal.Matches(m.Key)))
                {
                    matched = true;
                    var median = Stats.Median(values);
                    text.Append(CultureInfo.InvariantCulture,
                        $"| {goal.Describe(metric)} | `{scenario.Arguments}` | {Cell(variant)} | {Format(median)} | {(goal.IsMet(median) ? "met" : "**missed**")} |\n");
                }
        if (!matched)
            text.Append(CultureInfo.InvariantCulture,
                $"| {goal.Describe(goal.Metric)} | `{scenario.Arguments}` | | | not measured |\n");
    }

    /// <summary>Median (min-max), all three to the precision the median needs, so the figures line up.</summary>
    private static string Summary(List<double> values)
    {
        var median = Stats.Median(values);
        var format = FormatFor(values.Append(median));
        return values.Count == 1 ? Format(median, format) : $"{Format(median, format)} ({Format(values.Min(), format)}-{Format(values.Max(), format)})";
    }

    public static string Format(double value) => Format(value, FormatFor([value]));

    private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Whole numbers as such; otherwise about three significant digits of the smallest value.</summary>
    private static string FormatFor(IEnumerable<double> values)
    {
        var all = values.ToList();
        if (all.All(v => v == Math.Round(v))) return "#,0";
        var magnitude = all.Min(Math.Abs);
        return magnitude >= 100 ? "#,0" : magnitude >= 10 ? "0.0" : "0.00";
    }

    private static string Cell(string value) => value.Replace("|", "\\|").Replace("\n", " ");
}
