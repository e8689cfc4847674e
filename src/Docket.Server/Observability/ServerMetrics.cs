using System.Diagnostics.Metrics;
using Docket.Data.Events;
using Docket.Data.Redis;
using Docket.Data.Telemetry;

namespace Docket.Server.Observability;

/// <summary>The API's own instruments (meter "Docket"), beside the queue's in <see cref="QueueMetrics"/>.</summary>
public sealed class ServerMetrics
{
    private readonly UpDownCounter<long> _openStreams;
    private readonly Counter<long> _reviewedFields;

    public ServerMetrics(IMeterFactory meters, IEventBus bus, QueueGauges queue)
    {
        var meter = meters.Create(QueueMetrics.MeterName);
        _openStreams = meter.CreateUpDownCounter<long>("docket.sse.streams", "{stream}", "Server-sent event streams open now");
        _reviewedFields = meter.CreateCounter<long>("docket.review.fields", "{field}",
            "Fields of finalised documents, by field and outcome: confirmed (the machine was right) or corrected by a reviewer");
        meter.CreateObservableCounter("docket.bus.reconnects", () => bus is RedisEventBus redis ? redis.Reconnects : 0L, "{reconnect}",
            "Times a Redis bus connection was lost and made again");

        // Read from the database when /metrics is scraped (QueueGauges.RefreshAsync), not on the hot path. They
        // describe the whole cluster, so every API node reports the same values: aggregate them with max, not sum.
        meter.CreateObservableGauge("docket.queue.jobs", () => queue.Current.JobsByState, "{job}",
            "Jobs by state: queued (due now), scheduled (waiting for a retry backoff), running");
        meter.CreateObservableGauge("docket.queue.oldest_age", () => queue.Current.OldestQueuedAge, "s",
            "How long the oldest due job has waited to be claimed (0 when none waits)");
        meter.CreateObservableGauge("docket.dead_letters", () => queue.Current.DeadLetters, "{job}",
            "Jobs that failed for good and were not retried since");
        meter.CreateObservableGauge("docket.worker.slots", () => queue.Current.WorkerSlots, "{slot}",
            "Job slots of the live worker processes, busy or idle, from their heartbeats");
        meter.CreateObservableGauge("docket.worker.processes", () => queue.Current.LiveWorkers, "{process}",
            "Worker processes whose heartbeat is current");
    }

    public void StreamOpened() => _openStreams.Add(1);

    public void StreamClosed() => _openStreams.Add(-1);

    public void FieldReviewed(string field, bool corrected) =>
        _reviewedFields.Add(1, new KeyValuePair<string, object?>("field", field),
            new KeyValuePair<string, object?>("outcome", corrected ? "corrected" : "confirmed"));
}
