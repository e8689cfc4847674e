using System.Threading.Channels;
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
/// At most <see cref="RecordingPerSlot"/> times as many jobs as slots are held at once, so a slow
/// database cannot make a worker claim without bound.
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

    private readonly QueueOptions _options = options.Value;
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public string WorkerId => activity.WorkerId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = activity.Slots;
        log.LogInformation("Worker {WorkerId} started with {Slots} slots", WorkerId, slots);
        // Both subscribe before the first claim (synchronously, before their first await), so no wake-up falls in between.
        var listeners = Task.WhenAll(
            ListenAsync(BusChannels.JobsAvailable, _ => _nudges.Writer.TryWrite(true), stoppingToken),
            ListenAsync(BusChannels.JobsCancel, CancelJob, stoppingToken));
        var inFlight = new HashSet<Task>();
        var failures = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            int held;
            lock (inFlight) held = inFlight.Count;
            var free = Math.Min(slots - activity.Busy, slots * RecordingPerSlot - held);
            var claimedAll = false;
            if (free > 0)
            {
                try
                {
                    var claimStarted = DateTimeOffset.UtcNow;
                    var claimed = await store.ClaimAsync(WorkerId, free, _options.Lease, stoppingToken);
                    var claim = (claimStarted, DateTimeOffset.UtcNow);
                    failures = 0;
                    foreach (var job in claimed)
                    {
                        activity.Started();
                        var task = Task.Run(() => RunAsync(job, claim), CancellationToken.None);
                        lock (inFlight) inFlight.Add(task);
                        // A job that is recorded frees room under the cap on held jobs.
                        _ = task.ContinueWith(t =>
                        {
                            lock (inFlight) inFlight.Remove(t);
                            _nudges.Writer.TryWrite(true);
                        }, TaskScheduler.Default);
                    }
                    claimedAll = claimed.Count == free;
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

            if (claimedAll) continue;
            await WaitForNudgeAsync(stoppingToken);
        }

        Task[] remaining;
        lock (inFlight) remaining = [.. inFlight];
        log.LogInformation("Worker {WorkerId} stopping; waiting for {Count} running jobs", WorkerId, remaining.Length);
        await Task.WhenAll(remaining);
        await listeners.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task RunAsync(ClaimedJob job, (DateTimeOffset, DateTimeOffset) claim)
    {
        var slotFreed = 0;
        void FreeSlot()
        {
            if (Interlocked.Exchange(ref slotFreed, 1) != 0) return;
            activity.Finished();
            _nudges.Writer.TryWrite(true);
        }

        try
        {
            await processor.ProcessAsync(job, claim, FreeSlot);
        }
        finally
        {
            FreeSlot();
        }
    }

    private async Task WaitForNudgeAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_options.PollInterval);
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
