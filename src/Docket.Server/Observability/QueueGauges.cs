using System.Diagnostics.Metrics;
using Docket.Core.Jobs;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Docket.Data.Jobs;

namespace Docket.Server.Observability;

/// <summary>
/// The queue as the database sees it, read when metrics are scraped: a few indexed counts. Scrapes
/// that arrive while a read runs share it, so many scrapers cost one read at a time.
/// </summary>
public sealed class QueueGauges(IServiceScopeFactory scopes, TimeProvider clock, IOptions<QueueOptions> options)
{
    private readonly Lock _gate = new();
    private Task? _reading;

    public QueueSnapshot Current { get; private set; } = QueueSnapshot.Empty;

    /// <summary>Workers that missed this many heartbeats are taken for dead.</summary>
    public TimeSpan WorkerStaleAfter => options.Value.Heartbeat * 3;

    public Task RefreshAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_reading is not { IsCompleted: false }) _reading = ReadAsync();
            return _reading.WaitAsync(cancellationToken);
        }
    }

    /// <summary>On a scope of its own and not cancelled by the scrape that started it: others may be waiting for it.</summary>
    private async Task ReadAsync()
    {
        var cancellationToken = CancellationToken.None;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        {
            var now = clock.GetUtcNow();
            var due = await db.Jobs.CountAsync(j => j.State == JobState.Queued && j.ScheduledAt <= now, cancellationToken);
            var waiting = await db.Jobs.CountAsync(j => j.State == JobState.Queued && j.ScheduledAt > now, cancellationToken);
            var running = await db.Jobs.CountAsync(j => j.State == JobState.Running, cancellationToken);
            var oldest = await db.Jobs.Where(j => j.State == JobState.Queued && j.ScheduledAt <= now)
                .OrderBy(j => j.ScheduledAt).Select(j => (DateTimeOffset?)j.ScheduledAt).FirstOrDefaultAsync(cancellationToken);
            var deadLetters = await db.Jobs.CountAsync(j => j.State == JobState.Failed && j.Document!.CurrentJobId == j.Id, cancellationToken);
            var since = now - WorkerStaleAfter;
            var workers = await db.Workers.Where(w => w.LastSeenAt >= since).Select(w => new { w.Slots, w.Busy }).ToListAsync(cancellationToken);
            var busy = workers.Sum(w => Math.Min(w.Busy, w.Slots));
            Current = new QueueSnapshot(
                [Measure(due, "state", "queued"), Measure(waiting, "state", "scheduled"), Measure(running, "state", "running")],
                oldest is { } at ? Math.Max(0, (now - at).TotalSeconds) : 0,
                deadLetters,
                [Measure(busy, "state", "busy"), Measure(workers.Sum(w => w.Slots) - busy, "state", "idle")],
                workers.Count);
        }
    }

    private static Measurement<long> Measure(long value, string tag, string tagValue) =>
        new(value, new KeyValuePair<string, object?>(tag, tagValue));
}

public sealed record QueueSnapshot(
    IReadOnlyList<Measurement<long>> JobsByState,
    double OldestQueuedAge,
    long DeadLetters,
    IReadOnlyList<Measurement<long>> WorkerSlots,
    long LiveWorkers)
{
    public static readonly QueueSnapshot Empty = new([], 0, 0, [], 0);
}
