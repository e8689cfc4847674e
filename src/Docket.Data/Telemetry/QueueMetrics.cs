using System.Diagnostics.Metrics;

namespace Docket.Data.Telemetry;

/// <summary>
/// The queue's counters and histograms (meter "Docket"). The job stores count a transition only after
/// it committed; the worker records how long jobs and stages took. Each instrument costs an
/// allocation-free call on the hot path and nothing at all while nobody listens.
/// </summary>
public sealed class QueueMetrics
{
    public const string MeterName = "Docket";

    /// <summary>Seconds: from a few milliseconds (small text files) to minutes (long OCR jobs).</summary>
    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _created;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _cancelled;
    private readonly Histogram<double> _jobDuration;
    private readonly Histogram<double> _stageDuration;

    public QueueMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _created = meter.CreateCounter<long>("docket.jobs.created", "{job}", "Jobs created (uploads, reprocessing, retries and requeues)");
        _succeeded = meter.CreateCounter<long>("docket.jobs.succeeded", "{job}", "Jobs that completed");
        _failed = meter.CreateCounter<long>("docket.jobs.failed", "{job}",
            "Jobs that failed for good, by reason: unprocessable (the document is at fault), attempts_exhausted, worker_lost");
        _retried = meter.CreateCounter<long>("docket.jobs.retried", "{job}",
            "Attempts that failed and were put back in the queue, by reason: error or worker_lost (lease expired)");
        _cancelled = meter.CreateCounter<long>("docket.jobs.cancelled", "{job}", "Jobs cancelled");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        _jobDuration = meter.CreateHistogram("docket.job.duration", "s",
            "One attempt of a job, from claim to its recorded outcome, by outcome", advice: advice);
        _stageDuration = meter.CreateHistogram("docket.stage.duration", "s", "One pipeline stage, by stage and outcome", advice: advice);
    }

    public void Created(int count) => _created.Add(count);

    public void Succeeded(int count = 1) => _succeeded.Add(count);

    public void Failed(string reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Retried(string reason) => _retried.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Cancelled() => _cancelled.Add(1);

    public void JobFinished(string outcome, TimeSpan elapsed) =>
        _jobDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void StageFinished(string stage, string outcome, TimeSpan elapsed) =>
        _stageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("stage", stage),
            new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>The reasons of <see cref="QueueMetrics.Failed"/> and <see cref="QueueMetrics.Retried"/>.</summary>
public static class FailureReasons
{
    public const string Unprocessable = "unprocessable";
    public const string AttemptsExhausted = "attempts_exhausted";
    public const string WorkerLost = "worker_lost";
    public const string Error = "error";
}
