using Docket.Bench;

namespace Docket.Core.Tests.Bench;

public sealed class BenchReportTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 17, 0, 0, TimeSpan.Zero);

    private static readonly SuiteHeader Header = new(Now, TimeSpan.FromMinutes(42), "abc123",
        [("CPU", "2 x Test CPU"), ("load average (1 min)", "1.00 before the suite, 2.00 after")],
        [(".NET SDK", "10.0.401"), ("tree", "abc123")]);

    private static ScenarioRun Run(params (string Variant, double Value)[] results) =>
        new(0, false, 1, results.Select(r => new ResultLine("queue", r.Variant, new Dictionary<string, double> { ["jobs_per_s"] = r.Value })).ToList());

    [Fact]
    public void Parse_ReadsAResultLine()
    {
        var result = ResultLine.Parse("""BENCH-RESULT {"scenario":"queue","variant":"postgres, 2 processes","metrics":{"jobs_per_s":5230.1,"p99_ms":3}}""", out var error);

        Assert.Null(error);
        Assert.NotNull(result);
        Assert.Equal("queue", result.Scenario);
        Assert.Equal("postgres, 2 processes", result.Variant);
        Assert.Equal(5230.1, result.Metrics["jobs_per_s"]);
        Assert.Equal(3, result.Metrics["p99_ms"]);
    }

    [Fact]
    public void Parse_IgnoresOtherOutput_WithoutAnError()
    {
        Assert.Null(ResultLine.Parse("2000 documents, 16 clients: uploaded in 2.1 s", out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""BENCH-RESULT {"scenario":"queue","metrics":{"jobs_per_s":1}}""", "\"variant\"")]
    [InlineData("""BENCH-RESULT {"scenario":"queue","variant":"x","metrics":{"jobs_per_s":"fast"}}""", "jobs_per_s")]
    [InlineData("""BENCH-RESULT {"scenario":"queue",""", "not JSON")]
    public void Parse_SaysWhatIsWrong_WithAMalformedResultLine(string line, string expected)
    {
        Assert.Null(ResultLine.Parse(line, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 5.0, 1.0, 3.0 }, 3.0)]
    [InlineData(new[] { 4.0, 1.0, 3.0, 10.0 }, 3.5)]
    public void Median_IsTheMiddleValue_OrTheMeanOfTheMiddleTwo(double[] values, double median)
    {
        Assert.Equal(median, Stats.Median(values));
    }

    [Fact]
    public void ReplaceBetweenMarkers_KeepsEveryOtherByteOfTheFile()
    {
        var before = "# Benchmarks\r\n\nIntro  with  spaces\n\n" + BenchReport.BeginMarker + "\nold figures\n" + BenchReport.EndMarker;
        var after = "\n\n## History\n\n<!-- make eval: begin -->\nkept\n<!-- make eval: end -->\ntrailing without newline";

        var file = BenchReport.ReplaceBetweenMarkers(before + after, "new figures\n");

        Assert.Equal("# Benchmarks\r\n\nIntro  with  spaces\n\n" + BenchReport.BeginMarker + "\nnew figures\n" + BenchReport.EndMarker + after, file);
    }

    [Fact]
    public void ReplaceBetweenMarkers_PutsTheBlockAfterTheIntro_WhenTheFileHasNoMarkers()
    {
        var file = BenchReport.ReplaceBetweenMarkers("# Benchmarks\n\nIntro.\n\n## Machine\n\nold\n", "figures");

        Assert.Equal("# Benchmarks\n\nIntro.\n\n" + BenchReport.BeginMarker + "\nfigures\n" + BenchReport.EndMarker + "\n\n## Machine\n\nold\n", file);
    }

    [Fact]
    public void ReplaceBetweenMarkers_Refuses_WhenOnlyOneMarkerIsThere()
    {
        Assert.Throws<InvalidDataException>(() => BenchReport.ReplaceBetweenMarkers("a\n" + BenchReport.EndMarker + "\n", "x"));
    }

    [Fact]
    public void Render_GivesMedianMinAndMax_AndJudgesTheGoalOnTheMedian()
    {
        Scenario[] scenarios = [new("queue postgres 10000 2", Goal.AtLeast("jobs_per_s", 5000))];
        var record = new ScenarioRecord("queue postgres 10000 2", Now, "abc123", 1, 2,
            [Run(("postgres, 2 processes", 4000)), Run(("postgres, 2 processes", 6000)), Run(("postgres, 2 processes", 5100))]);

        var text = BenchReport.Render(Header, scenarios, [record]);

        Assert.Contains("| postgres, 2 processes | 3 of 3 | 1.0-2.0 | 5,100 (4,000-6,000) |", text);
        Assert.Contains("| jobs_per_s >= 5,000 | `queue postgres 10000 2` | postgres, 2 processes | 5,100 | met |", text);
    }

    [Fact]
    public void Render_GivesMedianMinAndMax_ToOnePrecision()
    {
        Scenario[] scenarios = [new("upload 1024")];
        var runs = new[] { 2.0, 1.9, 2.5 }.Select(v => new ScenarioRun(0, false, 1,
            [new ResultLine("upload", "64 MB", new Dictionary<string, double> { ["upload_growth_mb"] = v })])).ToList();

        var text = BenchReport.Render(Header, scenarios, [new ScenarioRecord("upload 1024", Now, "abc", 1, 2, runs)]);

        Assert.Contains("| 2.00 (1.90-2.50) |", text);
    }

    [Fact]
    public void Render_ReportsFailedRuns_AndLeavesTheirOutputOut()
    {
        Scenario[] scenarios = [new("queue postgres 10000 2", Goal.AtLeast("jobs_per_s", 5000))];
        var record = new ScenarioRecord("queue postgres 10000 2", Now, "abc123", 1, 2,
            [Run(("postgres, 2 processes", 4000)), Run(("postgres, 2 processes", 4200)), new(134, false, 3, [Run(("postgres, 2 processes", 9000)).Results[0]])]);

        var text = BenchReport.Render(Header, scenarios, [record]);

        Assert.Contains("**1 of 3 runs failed** (exit 134)", text);
        Assert.Contains("| postgres, 2 processes | 2 of 3 | 1.0-2.0 | 4,100 (4,000-4,200) |", text);
        Assert.Contains("| 4,100 | **missed** |", text);
    }

    [Fact]
    public void Render_SaysNotRun_ForAnUnknownSubcommand_AndForAScenarioThatNeverRan()
    {
        Scenario[] scenarios = [new("sse 10000", Goal.Below("p99_ms", 100)), new("list sqlite 100000")];
        var record = new ScenarioRecord("sse 10000", Now, "abc123", 1, 2, [new(ScenarioRun.UsageExitCode, false, 0.2, [])]);

        var text = BenchReport.Render(Header, scenarios, [record]);

        Assert.Contains("`sse 10000`: not run: the bench does not know this subcommand", text);
        Assert.Contains("`list sqlite 100000`: not run.", text);
        Assert.Contains("| p99_ms < 100 | `sse 10000` | | | not measured |", text);
    }

    [Fact]
    public void Render_AppliesAStarGoal_ToEveryMatchingMetric()
    {
        Scenario[] scenarios = [new("list postgres 1000000", Goal.Below("*p99_ms", 50))];
        var run = new ScenarioRun(0, false, 1, [new ResultLine("list", "postgres, 1000000 docs",
            new Dictionary<string, double> { ["first_page_p99_ms"] = 12, ["search_p99_ms"] = 80, ["search_p50_ms"] = 40 })]);

        var text = BenchReport.Render(Header, scenarios, [new ScenarioRecord("list postgres 1000000", Now, "abc", 1, 1, [run, run, run])]);

        Assert.Contains("| first_page_p99_ms < 50 | `list postgres 1000000` | postgres, 1000000 docs | 12 | met |", text);
        Assert.Contains("| search_p99_ms < 50 | `list postgres 1000000` | postgres, 1000000 docs | 80 | **missed** |", text);
        Assert.DoesNotContain("search_p50_ms <", text);
    }

    [Fact]
    public void ReadRecords_GivesBackWhatRenderStored_SoAPartialRunKeepsTheOtherScenarios()
    {
        Scenario[] scenarios = [new("queue postgres 10000 2"), new("pdf 100 9 invoice")];
        var earlier = new ScenarioRecord("pdf 100 9 invoice", Now.AddDays(-1), "old999", 0.5, 0.7,
            [new(0, false, 2, [new ResultLine("pdf", "invoice --> 100 pages", new Dictionary<string, double> { ["ratio"] = 1.31 })])]);
        var file = BenchReport.ReplaceBetweenMarkers("# Benchmarks\n", BenchReport.Render(Header, scenarios, [earlier]));

        var kept = Assert.Single(BenchReport.ReadRecords(file));

        Assert.Equal(earlier.Arguments, kept.Arguments);
        Assert.Equal(earlier.Started, kept.Started);
        Assert.Equal(1.31, kept.Runs[0].Results[0].Metrics["ratio"]);
        Assert.Equal("invoice --> 100 pages", kept.Runs[0].Results[0].Variant);
        Assert.Contains("`pdf 100 9 invoice`: earlier run, 2026-11-21 17:00 UTC, tree old999.", file);
        Assert.Equal(BenchReport.Render(Header, scenarios, [earlier]), BenchReport.Render(Header, scenarios, [kept]));
    }
}
