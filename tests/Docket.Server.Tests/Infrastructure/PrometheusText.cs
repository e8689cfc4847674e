using System.Globalization;
using System.Text.RegularExpressions;

namespace Docket.Server.Tests.Infrastructure;

public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of the Prometheus text format (0.0.4), written from the format's description:
/// every line is a HELP or TYPE comment or a sample; a sample's family was TYPEd before it; names and
/// labels are well formed; histograms have cumulative buckets ending in +Inf equal to _count.
/// Throws on anything else, so a test that scrapes also checks the exposition.
/// </summary>
public sealed partial class PrometheusText
{
    private readonly List<PrometheusSample> _samples = [];
    private readonly Dictionary<string, string> _types = [];

    public IReadOnlyList<PrometheusSample> Samples => _samples;

    public IReadOnlyDictionary<string, string> Types => _types;

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4 && NameRegex().IsMatch(parts[2]), $"Bad TYPE line: {line}");
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(parsed._types.TryAdd(parts[2], parts[3]), $"Family {parts[2]} typed twice");
                continue;
            }
            Assert.False(line.StartsWith('#'), $"Unknown comment: {line}");
            var match = SampleRegex().Match(line);
            Assert.True(match.Success, $"Bad sample line: {line}");
            var labels = new Dictionary<string, string>();
            foreach (Match label in LabelRegex().Matches(match.Groups["labels"].Value))
                Assert.True(labels.TryAdd(label.Groups[1].Value, Unescape(label.Groups[2].Value)), $"Label repeated: {line}");
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var name = match.Groups["name"].Value;
            Assert.True(parsed.FamilyOf(name) is not null, $"Sample before its TYPE line: {line}");
            parsed._samples.Add(new PrometheusSample(name, labels, value));
        }
        parsed.CheckHistograms();
        return parsed;
    }

    /// <summary>The value of the one sample with this name and these labels (others may exist); 0 when absent.</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => _types.ContainsKey(name) || _samples.Any(s => s.Name == name);

    private string? FamilyOf(string sample)
    {
        if (_types.ContainsKey(sample)) return sample;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && _types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
                return sample[..^suffix.Length];
        return null;
    }

    private void CheckHistograms()
    {
        foreach (var family in _types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var series = _samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(',', s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
            foreach (var buckets in series)
            {
                var ordered = buckets.Select(b => (Le: b.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(b.Labels["le"], CultureInfo.InvariantCulture), b.Value)).ToList();
                Assert.Equal(ordered.OrderBy(b => b.Le).Select(b => b.Le), ordered.Select(b => b.Le));
                Assert.True(double.IsPositiveInfinity(ordered[^1].Le), $"{family}{{{buckets.Key}}} has no +Inf bucket");
                for (var i = 1; i < ordered.Count; i++) Assert.True(ordered[i].Value >= ordered[i - 1].Value, $"{family} buckets are not cumulative");
                var count = _samples.Single(s => s.Name == family + "_count" && Key(s) == buckets.Key);
                Assert.Equal(ordered[^1].Value, count.Value);
                Assert.Single(_samples, s => s.Name == family + "_sum" && Key(s) == buckets.Key);
            }
        }

        static string Key(PrometheusSample s) => string.Join(',', s.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"));
    }

    private static string Unescape(string value) => value.Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\");

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>(?:[^""}]|""(?:[^""\\]|\\.)*"")*)\})? (?<value>\S+)$")]
    private static partial Regex SampleRegex();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)"",?")]
    private static partial Regex LabelRegex();
}
