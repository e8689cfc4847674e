using System.Diagnostics;
using System.Threading.Channels;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing;

/// <summary>
/// Claims jobs for as many slots as are free, runs them, and waits for a wake-up signal, a freed
/// slot or the poll interval, whichever comes first. The signal only shortens the wait: a lost
/// signal delays work by at most one poll interval, never loses it.
/// A slot is a pipeline running: it is freed when the pipeline ends, while the job's outcome is
/// still being committed, so the next job's work overlaps the last one's wait for the database.
/// While the slots turn over quickly (one was freed within <see cref="TurningOver"/>), a few jobs
/// (<see cref="QueueOptions.Prefetch"/>) are claimed ahead and wait here, so a freed slot starts the
/// next job at once rather than after a round trip to the database. Behind long jobs nothing more is
/// claimed ahead, and what already waits keeps its lease renewed. At most <see cref="RecordingPerSlot"/>
/// times as many jobs as slots are held at once, so a slow database cannot make a worker claim without bound.
/// </summary>
public sealed class Worker(
    IJobStore store,
    IEventBus bus,
    JobProcessor processor,
    RunningJobs running,
    WorkerActivity activity,
    IOptions<QueueOptions> options,
    ILogger<Worker> log) : BackgroundService
{
    private const int RecordingPerSlot = 4;
    private static readonly TimeSpan TurningOver = TimeSpan.FromSeconds(1);

    private readonly QueueOptions _options = options.Value;
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Queue<WaitingJob> _waiting = new();
    private readonly HashSet<Task> _inFlight = [];
    private long _slotFreedAt;

    public string WorkerId => activity.WorkerId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = activity.Slots;
        var prefetch = Math.Min(_options.EffectivePrefetch, slots * (RecordingPerSlot - 1));
        ExternalTool.LimitConcurrency(_options.EffectiveToolProcesses);
        log.LogInformation("Worker {WorkerId} started with {Slots} slots and {Tools} external programs at once",
            WorkerId, slots, _options.EffectiveToolProcesses);
        // Both subscribe before the first claim (synchronously, before their first await), so no wake-up falls in between.
        var listeners = Task.WhenAll(
            ListenAsync(BusChannels.JobsAvailable, _ => _nudges.Writer.TryWrite(true), stoppingToken),
            ListenAsync(BusChannels.JobsCancel, CancelJob, stoppingToken));
        var failures = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            int held, waiting;
            lock (_inFlight) held = _inFlight.Count;
            lock (_waiting) waiting = _waiting.Count;
            var ahead = Stopwatch.GetElapsedTime(Interlocked.Read(ref _slotFreedAt)) < TurningOver ? prefetch : 0;
            var wanted = Math.Min(slots + ahead - activity.Busy - waiting, slots * RecordingPerSlot - held - waiting);
            var claimedAll = false;
            if (wanted > 0)
            {
                try
                {
                    var claimStarted = DateTimeOffset.UtcNow;
                    var claimed = await store.ClaimAsync(WorkerId, wanted, _options.Lease, stoppingToken);
                    var claim = (claimStarted, DateTimeOffset.UtcNow);
                    failures = 0;
                    var now = Stopwatch.GetTimestamp();
                    lock (_waiting)
                        foreach (var job in claimed) _waiting.Enqueue(new WaitingJob(job, claim, now));
                    claimedAll = claimed.Count == wanted;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    log.LogWarning(ex, "Claiming jobs failed ({Failures} in a row); retrying", failures);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failures), 5000)), stoppingToken)
                        .ContinueWith(_ => { }, TaskScheduler.Default);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            StartWaitingJobs();
            await RenewWaitingLeasesAsync();
            if (claimedAll) continue;
            await WaitForNudgeAsync(stoppingToken);
        }

        // Jobs claimed ahead have begun their attempt: they run too, rather than wait out their lease and lose it.
        while (true)
        {
            StartWaitingJobs();
            lock (_waiting)
                if (_waiting.Count == 0) break;
            await RenewWaitingLeasesAsync();
            await WaitForNudgeAsync(CancellationToken.None);
        }
        Task[] remaining;
        lock (_inFlight) remaining = [.. _inFlight];
        log.LogInformation("Worker {WorkerId} stopping; waiting for {Count} running jobs", WorkerId, remaining.Length);
        await Task.WhenAll(remaining);
        await listeners.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Starts waiting jobs in claim order while slots are free; called by the loop and by every freed slot.</summary>
    private void StartWaitingJobs()
    {
        lock (_waiting)
        {
            while (activity.Busy < activity.Slots && _waiting.TryDequeue(out var next))
            {
                activity.Started();
                var task = Task.Run(() => RunAsync(next), CancellationToken.None);
                lock (_inFlight) _inFlight.Add(task);
                // A job that is recorded frees room under the cap on held jobs.
                _ = task.ContinueWith(t =>
                {
                    lock (_inFlight) _inFlight.Remove(t);
                    _nudges.Writer.TryWrite(true);
                }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// A job waiting behind long ones keeps its lease like a running one: renewed every heartbeat, so the
    /// rescuer never takes it from a worker that is alive. One whose lease is lost anyway is dropped.
    /// </summary>
    private async Task RenewWaitingLeasesAsync()
    {
        WaitingJob[] due;
        var renewBefore = Stopwatch.GetTimestamp() - (long)(_options.Heartbeat.TotalSeconds * Stopwatch.Frequency);
        lock (_waiting)
        {
            // Called on every turn of the claim loop: nothing to allocate for when nothing waits, the usual case.
            if (_waiting.Count == 0) return;
            due = [.. _waiting.Where(w => w.LeaseRenewedAt < renewBefore)];
        }
        foreach (var waiting in due)
        {
            try
            {
                var renewedAt = Stopwatch.GetTimestamp();
                if (await store.HeartbeatAsync(waiting.Job.Lease, _options.Lease, CancellationToken.None) == LeaseStatus.Lost)
                    waiting.LeaseLost = true;
                else
                    waiting.LeaseRenewedAt = renewedAt;
            }
            catch (Exception ex)
            {
                // One missed renewal is not fatal: the lease is several heartbeats long.
                log.LogWarning(ex, "Renewing the lease of waiting job {JobId} failed", waiting.Job.Lease.JobId);
            }
        }
    }

    private async Task RunAsync(WaitingJob waiting)
    {
        var slotFreed = 0;
        void FreeSlot()
        {
            if (Interlocked.Exchange(ref slotFreed, 1) != 0) return;
            Interlocked.Exchange(ref _slotFreedAt, Stopwatch.GetTimestamp());
            activity.Finished();
            StartWaitingJobs();
            _nudges.Writer.TryWrite(true);
        }

        try
        {
            if (waiting.LeaseLost)
                log.LogWarning("Job {JobId} lost its lease while it waited for a slot; another worker owns it now", waiting.Job.Lease.JobId);
            else
                await processor.ProcessAsync(waiting.Job, waiting.Claim, FreeSlot);
        }
        finally
        {
            FreeSlot();
        }
    }

    /// <summary>A claimed job waiting for a free slot.</summary>
    private sealed class WaitingJob(ClaimedJob job, (DateTimeOffset, DateTimeOffset) claim, long claimedAt)
    {
        public ClaimedJob Job { get; } = job;
        public (DateTimeOffset, DateTimeOffset) Claim { get; } = claim;
        public long LeaseRenewedAt { get; set; } = claimedAt;
        public volatile bool LeaseLost;
    }

    /// <summary>Waits for a nudge, at most a poll interval, or a heartbeat while jobs wait whose leases need renewing.</summary>
    private async Task WaitForNudgeAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        bool anyWaiting;
        lock (_waiting) anyWaiting = _waiting.Count > 0;
        timeout.CancelAfter(anyWaiting && _options.Heartbeat < _options.PollInterval ? _options.Heartbeat : _options.PollInterval);
        try
        {
            await _nudges.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// A reader that completes means the bus may have dropped messages for us (we fell behind, or the
    /// Redis connection was lost): listen again. What was missed is only late: the poll finds due jobs,
    /// the lease heartbeat finds cancellations, and a nudge now claims at once.
    /// </summary>
    private async Task ListenAsync(string channel, Action<ReadOnlyMemory<byte>> handle, CancellationToken stoppingToken)
    {
        var listeningAgain = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var subscription = bus.Subscribe(channel))
            {
                // Subscribed first, then claim: whatever was signalled while we were not listening is found
                // by this claim, and whatever comes later is signalled. No gap between the two.
                if (listeningAgain) _nudges.Writer.TryWrite(true);
                try
                {
                    await foreach (var message in subscription.Messages.ReadAllAsync(stoppingToken))
                        handle(message);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            listeningAgain = true;
            // A bus that keeps cutting us loose (Redis down) must not turn this into a busy loop.
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private void CancelJob(ReadOnlyMemory<byte> message)
    {
        if (System.Buffers.Text.Utf8Parser.TryParse(message.Span, out Guid jobId, out _) && running.TryCancel(jobId))
            log.LogInformation("Cancelling job {JobId} at the next stage boundary", jobId);
    }
}
