using Docket.Server.Features.Accounts;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Deploy;

/// <summary>
/// The Grafana dashboard and the Prometheus alert rules in deploy/ query metrics that a real server
/// exposes, with labels those metrics carry: a renamed metric breaks this test, not a dashboard in production.
/// </summary>
public sealed partial class MonitoringFilesTests
{
    private static readonly string DeployFolder = Path.Combine(Samples.RepoRoot, "deploy");

    [Fact]
    public async Task TheAlertRulesAndTheDashboard_UseTheServersMetricsAndLabels()
    {
        var expressions = AlertExpressions().Concat(DashboardExpressions()).ToList();
        Assert.True(expressions.Count >= 10, $"only {expressions.Count} expressions found");
        var metrics = await ScrapeAfterSomeWorkAsync();

        foreach (var expression in expressions)
        {
            var names = MetricRegex().Matches(expression).Select(m => m.Value).Distinct().ToList();
            Assert.True(names.Count > 0, $"No Docket or HTTP metric in: {expression}");
            foreach (var name in names)
            {
                Assert.True(metrics.Has(name), $"{name} (in `{expression}`) is not exposed by /metrics");
                var samples = metrics.Samples.Where(s => s.Name == name).ToList();
                if (samples.Count == 0) continue; // a counter nothing has incremented yet: its labels cannot be checked
                foreach (var label in LabelsUsedWith(expression, name))
                    Assert.True(samples.Any(s => s.Labels.ContainsKey(label)), $"{name} has no label '{label}' (in `{expression}`)");
            }
        }
    }

    [Fact]
    public void TheAlertRules_CoverQueueAgeFailureRateAndDeadLetters()
    {
        var rules = File.ReadAllText(Path.Combine(DeployFolder, "prometheus", "alerts.yml"));
        Assert.Contains("docket_queue_oldest_age_seconds", rules);
        Assert.Contains("docket_jobs_failed_total", rules);
        Assert.Contains("docket_dead_letters", rules);
        foreach (Match alert in Regex.Matches(rules, @"- alert: (\w+)"))
            Assert.Matches(@"^Docket[A-Z]\w+$", alert.Groups[1].Value);
    }

    private static async Task<PrometheusText> ScrapeAfterSomeWorkAsync()
    {
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (id, _) = await client.ProcessedTextAsync("report.txt", "A report so that every metric has a series.");
        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        using var stream = await client.GetAsync($"/api/v1/documents/{id}/stream");
        using var response = await client.GetAsync("/metrics");
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private static IEnumerable<string> AlertExpressions()
    {
        var lines = File.ReadAllLines(Path.Combine(DeployFolder, "prometheus", "alerts.yml"));
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal)) continue;
            var inline = trimmed["expr:".Length..].Trim();
            if (inline != "|")
            {
                yield return inline;
                continue;
            }
            var indent = lines[i].IndexOf('e') + 2;
            var block = new List<string>();
            while (i + 1 < lines.Length && (lines[i + 1].Length == 0 || lines[i + 1].TakeWhile(c => c == ' ').Count() >= indent))
                block.Add(lines[++i].Trim());
            yield return string.Join(' ', block);
        }
    }

    private static IEnumerable<string> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(DeployFolder, "grafana", "docket-dashboard.json")));
        Assert.Equal("docket-operations", dashboard.RootElement.GetProperty("uid").GetString());
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();
    }

    /// <summary>Label names in the metric's own selector, and in by (...) clauses of the expression (le is the buckets' own).</summary>
    private static IEnumerable<string> LabelsUsedWith(string expression, string metric)
    {
        foreach (Match selector in Regex.Matches(expression, Regex.Escape(metric) + @"\{([^}]*)\}"))
            foreach (Match label in Regex.Matches(selector.Groups[1].Value, @"(\w+)\s*(=~|!~|!=|=)"))
                yield return label.Groups[1].Value;
        foreach (Match by in Regex.Matches(expression, @"by \(([^)]*)\)[^()]*\(\s*(?:rate|increase)?\(?\s*" + Regex.Escape(metric)))
            foreach (var label in by.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => l != "le"))
                yield return label;
    }

    [GeneratedRegex(@"\b(docket_[a-z_]+|http_server_[a-z_]+)\b")]
    private static partial Regex MetricRegex();
}
