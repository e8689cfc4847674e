using System.Diagnostics;
using Docket.Core.Jobs;
using Docket.Core.Pipeline;
using Docket.Core.Uploads;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Data.Storage;
using Docket.Data.Telemetry;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Duplicates;
using Docket.Server.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing;

/// <summary>
/// Runs one claimed job: keeps its lease alive, runs the pipeline, streams progress, and records
/// the outcome. Never throws: whatever one document does, the worker goes on to the next.
/// </summary>
public sealed class JobProcessor(
    IJobStore store,
    IFileStore files,
    PipelineRunner pipeline,
    RunningJobs running,
    IServiceScopeFactory scopes,
    QueueMetrics metrics,
    IOptions<QueueOptions> options,
    ILogger<JobProcessor> log)
{
    private readonly QueueOptions _options = options.Value;
    private readonly Backoff _backoff = new(options.Value.RetryBaseDelay, options.Value.RetryMaxDelay);

    /// <param name="claim">When the claim that returned this job started and ended, for its span.</param>
    /// <param name="pipelineFinished">
    /// Called once the pipeline is done with the CPU, before the outcome is recorded: the worker's slot is
    /// free for the next job while this one waits for its commit.
    /// </param>
    public async Task ProcessAsync(ClaimedJob job, (DateTimeOffset Start, DateTimeOffset End) claim, Action? pipelineFinished = null)
    {
        // The request that made the job is named in every line logged while it runs, here and in the pipeline.
        using var logScope = log.BeginScope(new JobLogScope(job));
        using var activity = StartSpans(job, claim);
        var started = Stopwatch.GetTimestamp();
        using var control = running.Register(job.Lease.JobId);
        var heartbeatTimer = new PeriodicTimer(_options.Heartbeat);
        var heartbeat = KeepLeaseAsync(job.Lease, control, heartbeatTimer);
        var progress = new ProgressPump(store, job.Lease, control, log);
        log.LogDebug("Job {JobId} attempt {Attempt} started", job.Lease.JobId, job.Lease.Attempt);

        PipelineOutcome outcome;
        PipelineContext? context = null;
        try
        {
            using var local = job.Content is null ? await files.GetLocalCopyAsync(job.StorageKey, control.Token) : null;
            var input = new DocumentInput(job.DocumentId, job.FileName, FileKinds.FromWireName(job.FileType), job.SizeBytes,
                local?.Path ?? "", job.Content, job.OwnerId);
            context = new PipelineContext(input);
            var run = new PipelineRunOptions
            {
                StartStage = job.StartStage,
                StageFinished = stage => metrics.StageFinished(stage.Stage, stage.Outcome, stage.Elapsed),
            };
            outcome = job.StartStage is { } startStage && await RestoreEarlierStagesAsync(job, startStage, context, control.Token) is { } refused
                ? refused
                : await pipeline.RunAsync(context, progress.Report, run, control.Token);
        }
        catch (FileNotFoundException)
        {
            outcome = new PipelineOutcome.Failed("The stored file is missing.", Permanent: true, "extract");
        }
        catch (OperationCanceledException) when (control.IsCancellationRequested)
        {
            outcome = new PipelineOutcome.Cancelled("extract");
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Job {JobId} failed outside the pipeline", job.Lease.JobId);
            outcome = new PipelineOutcome.Failed(ex.Message, Permanent: false, "extract");
        }
        finally
        {
            pipelineFinished?.Invoke();
        }

        // A completion stores the last events with it; any other outcome after them, in a write of their own.
        var unwritten = await progress.EndAsync(keepUnwritten: outcome is PipelineOutcome.Completed);
        await RecordWithRetriesAsync(job, outcome, context, control, unwritten);
        heartbeatTimer.Dispose();
        await heartbeat;

        var outcomeName = outcome switch
        {
            PipelineOutcome.Completed => "succeeded",
            PipelineOutcome.Cancelled => "cancelled",
            _ => "failed",
        };
        metrics.JobFinished(outcomeName, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("docket.job.outcome", outcomeName);
        if (outcome is PipelineOutcome.Failed failed) activity?.SetStatus(ActivityStatusCode.Error, failed.Error);
        log.LogDebug("Job {JobId} attempt {Attempt} ended: {Outcome}", job.Lease.JobId, job.Lease.Attempt, outcomeName);
    }

    /// <summary>
    /// The job continues the trace of the request that made it: a claim span (when the claim ran) and
    /// the job's own span, whose children are the stages.
    /// </summary>
    private static Activity? StartSpans(ClaimedJob job, (DateTimeOffset Start, DateTimeOffset End) claim)
    {
        if (!DocketTracing.Source.HasListeners()) return null;
        var parent = ActivityContext.TryParse(job.TraceParent, null, isRemote: true, out var context) ? context : default;
        var tags = new ActivityTagsCollection
        {
            ["docket.job.id"] = job.Lease.JobId.ToString(),
            ["docket.document.id"] = job.DocumentId.ToString(),
            ["docket.job.attempt"] = job.Lease.Attempt,
        };
        using (var claimSpan = DocketTracing.Source.StartActivity("claim", ActivityKind.Consumer, parent, tags, startTime: claim.Start))
            claimSpan?.SetEndTime(claim.End.UtcDateTime);
        var activity = DocketTracing.Source.StartActivity("job", ActivityKind.Consumer, parent, tags);
        if (activity is not null && job.RequestId is { } requestId) activity.SetBaggage(DocketTracing.RequestIdBaggage, requestId);
        return activity;
    }

    /// <summary>Puts the stored outputs of the stages before <paramref name="startStage"/> on the context.</summary>
    /// <returns>Null when restored; otherwise why the job cannot start there.</returns>
    private async Task<PipelineOutcome?> RestoreEarlierStagesAsync(ClaimedJob job, string startStage, PipelineContext context,
        CancellationToken cancellationToken)
    {
        var index = pipeline.IndexOf(startStage);
        if (index < 0)
            return new PipelineOutcome.Failed($"This build has no stage '{startStage}' to start at.", Permanent: true, startStage);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var stored = await db.Documents.Where(d => d.Id == job.DocumentId).Select(d => d.CurrentResult!.Stages).FirstOrDefaultAsync(cancellationToken);
        return StageOutputs.TryRestore(context, stored, pipeline.Stages.Take(index).Select(s => s.Name), out var missing)
            ? null
            : new PipelineOutcome.Failed(
                $"The stored outputs of the {missing} stage are missing, so processing cannot start at {startStage}; reprocess from the start.",
                Permanent: true, startStage);
    }

    /// <summary>
    /// The work is done; losing it to a database restart would mean doing it again. Recording is
    /// retried for up to one lease (the heartbeat keeps the lease meanwhile); past that the lease
    /// expires and another attempt runs, and fencing keeps this one from completing twice.
    /// </summary>
    private async Task RecordWithRetriesAsync(ClaimedJob job, PipelineOutcome outcome, PipelineContext? context, JobControl control,
        IReadOnlyList<ProgressUpdate> unwritten)
    {
        var deadline = DateTime.UtcNow + _options.Lease;
        var delay = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                await RecordAsync(job, outcome, context, control, unwritten);
                return;
            }
            catch (Exception ex) when (DateTime.UtcNow + delay < deadline)
            {
                log.LogWarning(ex, "Recording the outcome of job {JobId} failed; retrying in {Delay}", job.Lease.JobId, delay);
                // PostgreSQL stores carried progress in a transaction of its own before the completion, so a failed
                // completion may have stored it: the retry goes without it, as a failed progress write drops its batch.
                unwritten = [];
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Could not record the outcome of job {JobId}; its lease will expire and it will run again", job.Lease.JobId);
                return;
            }
        }
    }

    /// <param name="unwritten">Progress events not stored yet, stored with a completion.</param>
    private async Task RecordAsync(ClaimedJob job, PipelineOutcome outcome, PipelineContext? context, JobControl control,
        IReadOnlyList<ProgressUpdate> unwritten)
    {
        if (control.LeaseLost)
        {
            log.LogWarning("Job {JobId} attempt {Attempt}: lease lost; another worker owns it now", job.Lease.JobId, job.Lease.Attempt);
            return;
        }

        switch (outcome)
        {
            case PipelineOutcome.Completed completed:
                var data = ResultData.From(completed.Result);
                var keys = DuplicateInvoices.KeysOf(data, ReviewEdits.Parse(job.Review));
                var stored = new ResultToStore(completed.Result.Text.Content, data.ToJson(), data.Title, data.Category.Name,
                    context?.StageOutputs.ToJson(), keys);
                if (!await store.CompleteAsync(job.Lease, stored, CancellationToken.None, unwritten))
                    log.LogWarning("Job {JobId} finished after its lease was lost; the result was discarded", job.Lease.JobId);
                break;
            case PipelineOutcome.Cancelled cancelled:
                await store.AcknowledgeCancelAsync(job.Lease, cancelled.Stage, CancellationToken.None);
                break;
            case PipelineOutcome.Failed failed:
                var delay = _backoff.DelayAfter(job.Lease.Attempt, Random.Shared.NextDouble());
                var result = await store.FailAsync(job.Lease, failed.Error, failed.Stage, failed.Permanent, delay, CancellationToken.None);
                log.LogInformation("Job {JobId} attempt {Attempt} failed ({Outcome}): {Error}",
                    job.Lease.JobId, job.Lease.Attempt, result, failed.Error);
                break;
        }
    }

    /// <summary>Renews the lease every tick until <paramref name="timer"/> is disposed (no exception per job for stopping).</summary>
    private async Task KeepLeaseAsync(JobLease lease, JobControl control, PeriodicTimer timer)
    {
        while (await timer.WaitForNextTickAsync())
        {
            try
            {
                switch (await store.HeartbeatAsync(lease, _options.Lease, CancellationToken.None))
                {
                    case LeaseStatus.Lost:
                        control.LoseLease();
                        return;
                    case LeaseStatus.CancelRequested:
                        control.Cancel();
                        break;
                }
            }
            catch (Exception ex)
            {
                // One missed heartbeat is not fatal: the lease is several heartbeats long.
                log.LogWarning(ex, "Heartbeat for job {JobId} failed", lease.JobId);
            }
        }
    }

    /// <summary>
    /// Progress events are written in order, in batches, off the pipeline's path: the pipeline never
    /// waits for the database. An event is written at most <see cref="LiveWithin"/> after it happened,
    /// together with whatever followed it by then; a job that ends sooner writes all its events in
    /// one batch with its outcome. Small documents take well under a millisecond, and writing their six
    /// stage events as they came cost two or three transactions each.
    /// </summary>
    private sealed class ProgressPump(IJobStore store, JobLease lease, JobControl control, ILogger log)
    {
        internal static readonly TimeSpan LiveWithin = TimeSpan.FromMilliseconds(100);

        private readonly List<ProgressUpdate> _pending = [];
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly CancellationTokenSource _ended = new();
        private Task _scheduled = Task.CompletedTask;
        private bool _flushScheduled;

        public void Report(PipelineProgress p)
        {
            lock (_pending)
            {
                _pending.Add(new ProgressUpdate(p.Event, p.Stage, p.Percent, p.Message));
                if (_flushScheduled || _ended.IsCancellationRequested) return;
                _flushScheduled = true;
                _scheduled = FlushLaterAsync();
            }
        }

        /// <summary>
        /// Ends the pump once any write in progress is done. The events not written yet are written now, or
        /// with <paramref name="keepUnwritten"/> returned for the caller to store with the job's outcome.
        /// </summary>
        public async Task<IReadOnlyList<ProgressUpdate>> EndAsync(bool keepUnwritten)
        {
            Task scheduled;
            lock (_pending)
            {
                _ended.Cancel();
                scheduled = _scheduled;
            }
            await scheduled;
            if (!keepUnwritten) await FlushAsync();
            await _writing.WaitAsync();
            _ended.Dispose();
            lock (_pending) return [.. _pending];
        }

        private async Task FlushLaterAsync()
        {
            // Ending the pump cancels the wait; without an exception, which every job would pay for.
            await Task.Delay(LiveWithin, _ended.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!_ended.IsCancellationRequested) await FlushAsync();
        }

        private async Task FlushAsync()
        {
            await _writing.WaitAsync();
            try
            {
                ProgressUpdate[] batch;
                lock (_pending)
                {
                    batch = [.. _pending];
                    _pending.Clear();
                    _flushScheduled = false;
                }
                if (batch.Length == 0 || control.LeaseLost) return;
                try
                {
                    if (!await store.ReportProgressAsync(lease, batch, CancellationToken.None)) control.LoseLease();
                }
                catch (Exception ex)
                {
                    // Progress is worth less than the job: the batch is dropped and the job goes on.
                    // Its outcome, and the terminal event with it, is recorded in a transaction of its own.
                    log.LogWarning(ex, "Could not store {Count} progress events of job {JobId}", batch.Length, lease.JobId);
                }
            }
            finally
            {
                _writing.Release();
            }
        }
    }
}

/// <summary>The log scope of a running job: every line logged while it runs carries these.</summary>
internal sealed class JobLogScope(ClaimedJob job) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _values =
    [
        new("JobId", job.Lease.JobId),
        new("DocumentId", job.DocumentId),
        new("RequestId", job.RequestId),
    ];

    public int Count => _values.Length;

    public KeyValuePair<string, object?> this[int index] => _values[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _values.GetEnumerator();

    public override string ToString() => $"job {job.Lease.JobId} document {job.DocumentId} request {job.RequestId}";
}
