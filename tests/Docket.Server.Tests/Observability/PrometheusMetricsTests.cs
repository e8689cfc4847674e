using System.Diagnostics.Metrics;
using Docket.Server.Observability;
using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Observability;

public sealed class PrometheusMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IMeterFactory _meters;
    private readonly PrometheusMetrics _metrics;
    private readonly Meter _meter;

    public PrometheusMetricsTests()
    {
        _meters = _services.GetRequiredService<IMeterFactory>();
        _metrics = new PrometheusMetrics(_meters);
        _meter = _meters.Create("Docket");
    }

    [Fact]
    public void Counters_AreOneSeriesPerLabelSet_WhateverTheOrderOfTheTags()
    {
        var counter = _meter.CreateCounter<long>("docket.things.done", "{thing}", "Things done");
        counter.Add(2, new("kind", "a"), new("size", "big"));
        counter.Add(3, new("size", "big"), new("kind", "a"));
        counter.Add(5, new KeyValuePair<string, object?>("kind", "b"));

        var text = _metrics.Write();
        var parsed = PrometheusText.Parse(text);
        Assert.Equal("counter", parsed.Types["docket_things_done_total"]);
        Assert.Equal(5, parsed.Value("docket_things_done_total", ("kind", "a"), ("size", "big")));
        Assert.Single(parsed.Samples, s => s.Name == "docket_things_done_total" && s.Labels.GetValueOrDefault("kind") == "a");
        Assert.Equal(5, parsed.Value("docket_things_done_total", ("kind", "b")));
        Assert.Contains("# HELP docket_things_done_total Things done\n", text);
    }

    [Fact]
    public void Histograms_HaveCumulativeBuckets_FromTheInstrumentsAdvice()
    {
        var histogram = _meter.CreateHistogram("docket.wait", "s", "Waiting",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        foreach (var seconds in new[] { 0.05, 0.1, 0.5, 2, 20 }) histogram.Record(seconds, new KeyValuePair<string, object?>("stage", "x"));

        var parsed = PrometheusText.Parse(_metrics.Write());
        Assert.Equal("histogram", parsed.Types["docket_wait_seconds"]);
        Assert.Equal(2, parsed.Value("docket_wait_seconds_bucket", ("stage", "x"), ("le", "0.1")));
        Assert.Equal(3, parsed.Value("docket_wait_seconds_bucket", ("stage", "x"), ("le", "1")));
        Assert.Equal(4, parsed.Value("docket_wait_seconds_bucket", ("stage", "x"), ("le", "10")));
        Assert.Equal(5, parsed.Value("docket_wait_seconds_bucket", ("stage", "x"), ("le", "+Inf")));
        Assert.Equal(5, parsed.Value("docket_wait_seconds_count", ("stage", "x")));
        Assert.Equal(22.65, parsed.Value("docket_wait_seconds_sum", ("stage", "x")), 6);
    }

    [Fact]
    public void ObservableGauges_ShowWhatIsReportedAtEachScrape_AndForgetLabelsNoLongerReported()
    {
        var states = new List<Measurement<long>> { new(3, new KeyValuePair<string, object?>("state", "queued")), new(1, new KeyValuePair<string, object?>("state", "running")) };
        _meter.CreateObservableGauge("docket.queue.depth", () => states, "{job}");

        Assert.Equal(3, PrometheusText.Parse(_metrics.Write()).Value("docket_queue_depth", ("state", "queued")));
        states = [new(7, new KeyValuePair<string, object?>("state", "queued"))];
        var parsed = PrometheusText.Parse(_metrics.Write());
        Assert.Equal(7, parsed.Value("docket_queue_depth", ("state", "queued")));
        Assert.DoesNotContain(parsed.Samples, s => s.Name == "docket_queue_depth" && s.Labels["state"] == "running");
    }

    [Fact]
    public void LabelValues_AreEscaped()
    {
        var counter = _meter.CreateCounter<long>("docket.odd");
        counter.Add(1, new KeyValuePair<string, object?>("path", "a \"quoted\" \\ back\nslash"));

        var text = _metrics.Write();
        Assert.Contains("docket_odd_total{path=\"a \\\"quoted\\\" \\\\ back\\nslash\"} 1\n", text);
        Assert.Equal(1, PrometheusText.Parse(text).Value("docket_odd_total", ("path", "a \"quoted\" \\ back\nslash")));
    }

    [Fact]
    public void AnotherHostsMeters_AreNotCounted()
    {
        using var otherHost = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var theirs = otherHost.GetRequiredService<IMeterFactory>().Create("Docket").CreateCounter<long>("docket.shared.name");
        var ours = _meter.CreateCounter<long>("docket.shared.name");
        theirs.Add(100);
        ours.Add(1);

        Assert.Equal(1, PrometheusText.Parse(_metrics.Write()).Value("docket_shared_name_total"));
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _services.Dispose();
    }
}
