using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Telemetry;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Docket.Data.Postgres;

/// <summary>
/// The job queue on PostgreSQL, shared by any number of worker processes. A claim locks the due
/// rows it picks with FOR UPDATE SKIP LOCKED, so concurrent claimers pass over each other's rows
/// instead of waiting on them, and each job goes to exactly one worker. Every other move has the
/// same guards as <see cref="Sqlite.SqliteJobStore"/>: the attempt as fencing token, and the state
/// machines' source states in each WHERE clause (under READ COMMITTED an UPDATE re-checks its
/// WHERE on the newest row version, so a guard that no longer holds changes nothing).
/// Errors are not caught here: a lost connection or an administrator shutdown (08xxx, 57P01)
/// reaches the worker, which logs it and claims again after a backoff.
/// </summary>
public sealed class PostgresJobStore(NpgsqlDataSource dataSource, IEventBus bus, IOptions<QueueOptions> options, TimeProvider clock,
    QueueMetrics? metrics = null)
    : IJobStore
{
    private static readonly string[] QueuedSources = Sources(DocumentStatus.Queued);
    private static readonly string[] ProcessingSources = Sources(DocumentStatus.Processing);
    private static readonly string[] ProcessedSources = Sources(DocumentStatus.Processed);
    private static readonly string[] FailedSources = Sources(DocumentStatus.Failed);
    private static readonly string[] CancelledSources = Sources(DocumentStatus.Cancelled);

    private const string CompletedMessage = "Processing completed; ready for review";

    /// <summary>Enough to share a commit among every slot of a busy worker; a result can be large, so not unbounded.</summary>
    private const int MaxCompletionBatch = 64;

    private readonly QueueOptions _options = options.Value;
    private GroupCommit<Completion, bool>? _completions;

    /// <remarks>
    /// One statement, one round trip, however many documents: the duplicate check, the documents, their jobs
    /// and their job_queued events. The statement sees the table as it was before it, so a duplicate within
    /// the same request is found here, from the earlier file of the request.
    /// </remarks>
    public async Task<IReadOnlyList<EnqueuedJob>> AddDocumentsAsync(IReadOnlyList<NewDocument> documents, CancellationToken cancellationToken)
    {
        using var span = DocketTracing.Source.StartActivity("enqueue");
        var origin = JobOrigin.Current();
        var jobIds = documents.Select(_ => Guid.CreateVersion7()).ToArray();
        return await WriteOneStatementAsync<IReadOnlyList<EnqueuedJob>>(async s =>
        {
            var now = Now();
            // OFFSET 0 keeps the hash lookup a subquery of its own, so the planner cannot serve the ORDER BY from
            // (owner_id, created_at) and walk all of the owner's documents looking for the hash.
            var rows = await s.QueryAsync("""
                WITH input AS (
                    SELECT * FROM unnest(@ids::uuid[], @owners::uuid[], @names::text[], @types::text[], @ctypes::text[],
                                         @sizes::bigint[], @shas::text[], @keys::text[], @jobs::uuid[], @contents::bytea[]) WITH ORDINALITY
                        AS i(id, owner_id, filename, file_type, content_type, size_bytes, sha256, storage_key, job_id, content, n)
                ), earlier AS (
                    SELECT i.id, i.n,
                           (SELECT same.id FROM (SELECT d.id, d.created_at FROM documents d
                                                 WHERE d.owner_id = i.owner_id AND d.sha256 = i.sha256 OFFSET 0) same
                            ORDER BY same.created_at, same.id LIMIT 1) AS duplicate_of
                    FROM input i
                ), document AS (
                    INSERT INTO documents (id, owner_id, filename, file_type, content_type, size_bytes, sha256, storage_key,
                                           status, current_job_id, version, created_at, updated_at)
                    SELECT i.id, i.owner_id, i.filename, i.file_type, i.content_type, i.size_bytes, i.sha256, i.storage_key,
                           'queued', i.job_id, 1, @now, @now
                    FROM input i ORDER BY i.n
                ), content AS (
                    INSERT INTO document_contents (document_id, content)
                    SELECT i.id, i.content FROM input i WHERE i.content IS NOT NULL
                ), job AS (
                    INSERT INTO jobs (id, document_id, owner_id, kind, state, priority, attempt, max_attempts, scheduled_at, retry_of,
                                      created_at, start_stage, request_id, trace_parent)
                    SELECT i.job_id, i.id, i.owner_id, 'process', 'queued', 0, 0, @max, @now, NULL, @now, NULL, @request, @trace
                    FROM input i ORDER BY i.n
                ), event AS (
                    INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
                    SELECT i.job_id, i.id, @event, NULL, 0, @message, NULL, @now FROM input i ORDER BY i.n
                    RETURNING id, document_id
                )
                SELECT earlier.n, earlier.duplicate_of, event.id FROM earlier JOIN event ON event.document_id = earlier.id
                ORDER BY earlier.n
                """, r => (N: (int)r.GetInt64(0), DuplicateOf: r.IsDBNull(1) ? (Guid?)null : r.GetGuid(1), EventId: r.GetInt64(2)),
                cancellationToken,
                ("ids", documents.Select(d => d.Id).ToArray()), ("owners", documents.Select(d => d.OwnerId).ToArray()),
                ("names", documents.Select(d => d.FileName).ToArray()), ("types", documents.Select(d => d.FileType).ToArray()),
                ("ctypes", documents.Select(d => d.ContentType).ToArray()), ("sizes", documents.Select(d => d.SizeBytes).ToArray()),
                ("shas", documents.Select(d => d.Sha256).ToArray()), ("keys", documents.Select(d => d.StorageKey).ToArray()),
                ("jobs", jobIds), ("contents", documents.Select(d => d.Content).ToArray()), ("now", now), ("max", _options.MaxAttempts), ("request", origin.RequestId), ("trace", origin.TraceParent),
                ("event", EventNames.JobQueued), ("message", "Queued for processing"));

            var jobs = new List<EnqueuedJob>(documents.Count);
            foreach (var row in rows)
            {
                var i = row.N - 1;
                var d = documents[i];
                var duplicateOf = row.DuplicateOf
                    ?? documents.Take(i).FirstOrDefault(e => e.OwnerId == d.OwnerId && e.Sha256 == d.Sha256)?.Id;
                jobs.Add(new EnqueuedJob(d.Id, jobIds[i], DocumentStatus.Queued, duplicateOf));
            }
            foreach (var row in rows.OrderBy(r => r.EventId))
                Announce(s, new JobEvent(row.EventId, jobIds[row.N - 1], documents[row.N - 1].Id, EventNames.JobQueued, null, 0,
                    "Queued for processing", now, null));
            s.AfterCommit(() => metrics?.Created(documents.Count));
            WakeWorkers(s);
            return jobs;
        }, cancellationToken);
    }

    public async Task<EnqueueOutcome> EnqueueAsync(Guid documentId, Guid ownerId, IReadOnlyCollection<DocumentStatus> allowedFrom, Guid? retryOf,
        CancellationToken cancellationToken, string? startStage = null)
    {
        using var span = DocketTracing.Source.StartActivity("enqueue");
        var origin = JobOrigin.Current();
        return await WriteAsync<EnqueueOutcome>(async s =>
        {
            var rows = await s.QueryAsync("SELECT status, current_job_id FROM documents WHERE id = @id AND owner_id = @owner",
                r => (Status: r.GetString(0), CurrentJob: r.IsDBNull(1) ? (Guid?)null : r.GetGuid(1)), cancellationToken,
                ("id", documentId), ("owner", ownerId));
            if (rows.Count == 0) return new EnqueueOutcome.NotFound();
            var (statusText, currentJob) = rows[0];

            var status = Wire.ParseDocumentStatus(statusText);
            if (retryOf is { } retried)
            {
                if (await s.ScalarAsync("SELECT state FROM jobs WHERE id = @id AND document_id = @doc", cancellationToken,
                        ("id", retried), ("doc", documentId)) is not string jobState)
                    return new EnqueueOutcome.NotFound();
                if (!JobStateMachine.CanRetry(Wire.ParseJobState(jobState)))
                    return new EnqueueOutcome.NotRetryable($"Only a failed or cancelled job can be retried; this one is {jobState}.");
                if (currentJob != retried)
                    return new EnqueueOutcome.NotRetryable("A newer job exists for this document; retry that one instead.");
            }

            // Processing -> Queued is the running job's own way back (lease lost, retry scheduled); a new job
            // from there would run beside it, so it is refused whatever the caller allows.
            if (!allowedFrom.Contains(status) || status == DocumentStatus.Processing
                || !DocumentStateMachine.CanMove(status, DocumentStatus.Queued))
                return new EnqueueOutcome.WrongStatus(status);

            var now = Now();
            var jobId = Guid.CreateVersion7();
            // The status read above may be stale by now; the guard makes a concurrent change win instead of this one.
            var moved = await s.ExecuteAsync("""
                UPDATE documents SET status = 'queued', current_job_id = @job, failure_reason = NULL,
                                     updated_at = @now, version = version + 1
                WHERE id = @id AND status = @status
                """, cancellationToken, ("job", jobId), ("now", now), ("id", documentId), ("status", statusText));
            if (moved == 0) return new EnqueueOutcome.WrongStatus(status);
            await InsertJobAsync(s, jobId, documentId, ownerId, retryOf, startStage, origin, now, cancellationToken);
            await AddEventAsync(s, jobId, documentId, EventNames.JobQueued, null, 0, JobMessages.Queued(retryOf, startStage), null, now,
                cancellationToken);
            s.AfterCommit(() => metrics?.Created(1));
            WakeWorkers(s);
            return new EnqueueOutcome.Enqueued(jobId);
        }, cancellationToken);
    }

    /// <remarks>
    /// One statement, one round trip, however many jobs: claim, move their documents to processing and record
    /// job_started. SKIP LOCKED: rows another claimer has locked are passed over, not waited for; LIMIT takes only as
    /// many as the worker has free slots. The event rows are inserted in claim order, so their ids increase in the
    /// order the jobs are returned; the outer SELECT restores that order (RETURNING has none).
    /// </remarks>
    internal const string ClaimSql = """
        WITH next AS (
            SELECT id FROM jobs
            WHERE state = 'queued' AND scheduled_at <= @now
            ORDER BY priority, scheduled_at, id
            LIMIT @limit
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, attempted_at = @now,
                              attempted_by = @worker, lease_expires_at = @expires, stage = NULL
            FROM next WHERE j.id = next.id
            RETURNING j.id, j.document_id, j.attempt, j.max_attempts, j.priority, j.scheduled_at, j.start_stage, j.request_id,
                      j.trace_parent
        ), moved AS (
            UPDATE documents d SET status = 'processing', updated_at = @now, version = d.version + 1
            FROM claimed c WHERE d.id = c.document_id AND d.status = ANY(@sources)
        ), started AS (
            INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
            SELECT c.id, c.document_id, @event, NULL, 5,
                   'Attempt ' || c.attempt || ' of ' || c.max_attempts || ' started on ' || @worker, NULL, @now
            FROM claimed c ORDER BY c.priority, c.scheduled_at, c.id
            RETURNING id, job_id, message
        )
        SELECT c.id, c.document_id, c.attempt, c.max_attempts, d.owner_id, d.filename, d.file_type, d.size_bytes, d.storage_key,
               e.id, e.message, c.start_stage, c.request_id, c.trace_parent, dc.content, d.review
        FROM claimed c JOIN documents d ON d.id = c.document_id JOIN started e ON e.job_id = c.id
        LEFT JOIN document_contents dc ON dc.document_id = c.document_id
        ORDER BY c.priority, c.scheduled_at, c.id
        """;

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (limit <= 0) return [];
        return await WriteOneStatementAsync<IReadOnlyList<ClaimedJob>>(async s =>
        {
            var now = Now();
            var claimed = await s.QueryAsync(ClaimSql,
                r => (Job: new ClaimedJob(new JobLease(r.GetGuid(0), r.GetInt32(2)), r.GetGuid(1), r.GetGuid(4), r.GetInt32(3),
                    r.GetString(5), r.GetString(6), r.GetInt64(7), r.GetString(8))
                {
                    StartStage = r.IsDBNull(11) ? null : r.GetString(11),
                    RequestId = r.IsDBNull(12) ? null : r.GetString(12),
                    TraceParent = r.IsDBNull(13) ? null : r.GetString(13),
                    Content = r.IsDBNull(14) ? null : r.GetFieldValue<byte[]>(14),
                    Review = r.IsDBNull(15) ? null : r.GetString(15),
                }, EventId: r.GetInt64(9), Message: r.GetString(10)),
                cancellationToken, ("now", now), ("limit", limit), ("worker", workerId), ("expires", now + lease),
                ("sources", ProcessingSources), ("event", EventNames.JobStarted));

            foreach (var (job, eventId, message) in claimed.OrderBy(c => c.EventId))
                Announce(s, new JobEvent(eventId, job.Lease.JobId, job.DocumentId, EventNames.JobStarted, null, 5, message, now, null));
            return claimed.Select(c => c.Job).ToList();
        }, cancellationToken);
    }

    public Task<LeaseStatus> HeartbeatAsync(JobLease lease, TimeSpan extendBy, CancellationToken cancellationToken) =>
        WriteAsync(async s =>
        {
            var cancel = await s.ScalarAsync("""
                UPDATE jobs SET lease_expires_at = @expires
                WHERE id = @id AND attempt = @attempt AND state = 'running'
                RETURNING cancel_requested
                """, cancellationToken, ("expires", Now() + extendBy), ("id", lease.JobId), ("attempt", lease.Attempt));
            return cancel switch
            {
                null => LeaseStatus.Lost,
                true => LeaseStatus.CancelRequested,
                _ => LeaseStatus.Held,
            };
        }, cancellationToken);

    public async Task<bool> ReportProgressAsync(JobLease lease, IReadOnlyList<ProgressUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0) return true;
        return await WriteAsync(async s =>
        {
            var last = updates[^1];
            // One guarded UPDATE both checks the lease and records where the job is.
            if (await s.ScalarAsync("""
                    UPDATE jobs SET stage = @stage, progress = @progress
                    WHERE id = @id AND attempt = @attempt AND state = 'running'
                    RETURNING document_id
                    """, cancellationToken, ("stage", last.Stage), ("progress", last.Progress), ("id", lease.JobId),
                    ("attempt", lease.Attempt)) is not Guid documentId)
                return false;
            var now = Now();
            // One statement for the batch: the rows are inserted in the order of the arrays (WITH ORDINALITY),
            // so their ids, sorted, belong to the updates in order.
            var ids = await s.QueryAsync("""
                INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
                SELECT @job, @doc, u.event, u.stage, u.progress, u.message, NULL, @now
                FROM unnest(@events::text[], @stages::text[], @progresses::int[], @messages::text[]) WITH ORDINALITY
                    AS u(event, stage, progress, message, n)
                ORDER BY u.n
                RETURNING id
                """, r => r.GetInt64(0), cancellationToken, ("job", lease.JobId), ("doc", documentId), ("now", now),
                ("events", updates.Select(u => u.Event).ToArray()), ("stages", updates.Select(u => u.Stage).ToArray()),
                ("progresses", updates.Select(u => u.Progress).ToArray()), ("messages", updates.Select(u => u.Message).ToArray()));
            ids.Sort();
            for (var i = 0; i < updates.Count; i++)
                Announce(s, new JobEvent(ids[i], lease.JobId, documentId, updates[i].Event, updates[i].Stage, updates[i].Progress,
                    updates[i].Message, now, null));
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Completions in flight at the same time are written together (<see cref="GroupCommit{TItem, TOutcome}"/>):
    /// one statement and one commit for the batch, each job still fenced by its own attempt and each
    /// caller told its own outcome. The write is shared, so a caller's token only counts before it is queued.
    /// </summary>
    /// <remarks>Progress not stored yet is stored first, in a transaction of its own, so its events keep lower ids.</remarks>
    public async Task<bool> CompleteAsync(JobLease lease, ResultToStore result, CancellationToken cancellationToken,
        IReadOnlyList<ProgressUpdate>? progress = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (progress is { Count: > 0 } && !await ReportProgressAsync(lease, progress, cancellationToken)) return false;
        return await LazyInitializer.EnsureInitialized(ref _completions, () => new(CompleteBatchAsync, MaxCompletionBatch))
            .WriteAsync(new Completion(lease, result));
    }

    private async Task CompleteBatchAsync(IReadOnlyList<GroupCommit<Completion, bool>.Entry> batch)
    {
        if (batch.Count > 1)
        {
            try
            {
                await CompleteManyAsync(batch);
                return;
            }
            catch (PostgresException)
            {
                // Refused by the server (a value a column rejects, a deadlock, the same lease twice):
                // nothing of the batch was stored. Written one by one, only the completion at fault fails.
            }
        }
        foreach (var entry in batch)
        {
            try
            {
                entry.Succeed(await CompleteOneAsync(entry.Item.Lease, entry.Item.Result));
            }
            catch (Exception ex)
            {
                entry.Fail(ex);
            }
        }
    }

    private async Task CompleteManyAsync(IReadOnlyList<GroupCommit<Completion, bool>.Entry> batch)
    {
        // In job order, so two batches lock their jobs' rows in the same order instead of deadlocking.
        var items = batch.Select(e => e.Item).OrderBy(c => c.Lease.JobId).ToArray();
        var completed = await WriteOneStatementAsync(async s =>
        {
            var now = Now();
            // As in CompleteOneAsync, the fenced job update gates everything after it: a completion whose
            // attempt is stale has no row in `done`, so nothing of it is stored, and its caller hears false.
            var stored = await s.QueryAsync("""
                WITH input AS (
                    SELECT * FROM unnest(@jobs::uuid[], @attempts::int[], @rids::uuid[], @contents::text[], @data::text[],
                                         @stages::text[], @titles::text[], @categories::text[], @number_keys::text[], @total_keys::text[])
                        AS i(job_id, attempt, result_id, content, data, stages, title, category, number_key, total_key)
                ), done AS (
                    UPDATE jobs j SET state = 'succeeded', progress = 100, finalized_at = @now, lease_expires_at = NULL
                    FROM input i WHERE j.id = i.job_id AND j.attempt = i.attempt AND j.state = 'running'
                    RETURNING j.id, j.attempt, j.document_id
                ), result AS (
                    INSERT INTO document_results (id, document_id, job_id, version, content, data, stages, created_at)
                    SELECT i.result_id, done.document_id, done.id,
                           COALESCE((SELECT MAX(r.version) FROM document_results r WHERE r.document_id = done.document_id), 0) + 1,
                           i.content, i.data, i.stages, @now
                    FROM done JOIN input i ON i.job_id = done.id AND i.attempt = done.attempt
                    RETURNING id, document_id
                ), document AS (
                    UPDATE documents d SET status = 'processed', current_result_id = result.id, title = i.title, category = i.category,
                                           failure_reason = NULL, processed_at = @now, updated_at = @now, version = d.version + 1
                    FROM result JOIN input i ON i.result_id = result.id
                    WHERE d.id = result.document_id AND d.status = ANY(@sources)
                    RETURNING d.id, d.owner_id, i.number_key, i.total_key
                ), keyed AS (
                    INSERT INTO invoice_keys (document_id, owner_id, number_key, total_key)
                    SELECT id, owner_id, number_key, total_key FROM document WHERE number_key IS NOT NULL OR total_key IS NOT NULL
                    ON CONFLICT (document_id) DO UPDATE
                        SET owner_id = EXCLUDED.owner_id, number_key = EXCLUDED.number_key, total_key = EXCLUDED.total_key
                ), unkeyed AS (
                    DELETE FROM invoice_keys k USING document
                    WHERE k.document_id = document.id AND document.number_key IS NULL AND document.total_key IS NULL
                ), event AS (
                    INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
                    SELECT done.id, done.document_id, @event, NULL, 100, @message, NULL, @now FROM done ORDER BY done.id
                    RETURNING id, job_id, document_id
                )
                SELECT event.id, event.job_id, event.document_id, done.attempt FROM event JOIN done ON done.id = event.job_id
                ORDER BY event.id
                """, r => (EventId: r.GetInt64(0), JobId: r.GetGuid(1), DocumentId: r.GetGuid(2), Attempt: r.GetInt32(3)),
                CancellationToken.None,
                ("now", now), ("jobs", items.Select(c => c.Lease.JobId).ToArray()), ("attempts", items.Select(c => c.Lease.Attempt).ToArray()),
                ("rids", items.Select(_ => Guid.CreateVersion7()).ToArray()), ("contents", items.Select(c => c.Result.Content).ToArray()),
                ("data", items.Select(c => c.Result.DataJson).ToArray()), ("stages", items.Select(c => c.Result.StagesJson).ToArray()),
                ("titles", items.Select(c => c.Result.Title).ToArray()), ("categories", items.Select(c => c.Result.Category).ToArray()),
                ("number_keys", items.Select(c => c.Result.Keys?.NumberKey).ToArray()),
                ("total_keys", items.Select(c => c.Result.Keys?.TotalKey).ToArray()),
                ("sources", ProcessedSources), ("event", EventNames.JobCompleted), ("message", CompletedMessage));
            var events = stored.Select(e => new JobEvent(e.EventId, e.JobId, e.DocumentId, EventNames.JobCompleted, null, 100,
                CompletedMessage, now, null)).ToList();
            if (events.Count > 0) s.AfterCommit(() => Observe(bus.PublishEventsAsync(events)));
            s.AfterCommit(() => metrics?.Succeeded(events.Count));
            return stored.Select(e => new JobLease(e.JobId, e.Attempt)).ToHashSet();
        }, CancellationToken.None);
        foreach (var entry in batch) entry.Succeed(completed.Contains(entry.Item.Lease));
    }

    private Task<bool> CompleteOneAsync(JobLease lease, ResultToStore result) =>
        WriteOneStatementAsync(async s =>
        {
            var now = Now();
            var resultId = Guid.CreateVersion7();
            // One statement, one round trip: the fenced job update gates everything after it (no row
            // in `done`, nothing stored), and the result, document and terminal event follow from it.
            var stored = await s.QueryAsync("""
                WITH done AS (
                    UPDATE jobs SET state = 'succeeded', progress = 100, finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @job AND attempt = @attempt AND state = 'running'
                    RETURNING document_id
                ), result AS (
                    INSERT INTO document_results (id, document_id, job_id, version, content, data, stages, created_at)
                    SELECT @rid, done.document_id, @job,
                           COALESCE((SELECT MAX(r.version) FROM document_results r WHERE r.document_id = done.document_id), 0) + 1,
                           @content, @data, @stages, @now
                    FROM done
                    RETURNING document_id
                ), document AS (
                    UPDATE documents d SET status = 'processed', current_result_id = @rid, title = @title, category = @category,
                                           failure_reason = NULL, processed_at = @now, updated_at = @now, version = d.version + 1
                    FROM result WHERE d.id = result.document_id AND d.status = ANY(@sources)
                    RETURNING d.id, d.owner_id
                ), keyed AS (
                    -- The keys follow the current result: only a document that took this result as its current one gets them.
                    INSERT INTO invoice_keys (document_id, owner_id, number_key, total_key)
                    SELECT id, owner_id, @number_key::text, @total_key::text FROM document
                    WHERE @number_key::text IS NOT NULL OR @total_key::text IS NOT NULL
                    ON CONFLICT (document_id) DO UPDATE
                        SET owner_id = EXCLUDED.owner_id, number_key = EXCLUDED.number_key, total_key = EXCLUDED.total_key
                ), unkeyed AS (
                    DELETE FROM invoice_keys k USING document
                    WHERE k.document_id = document.id AND @number_key::text IS NULL AND @total_key::text IS NULL
                )
                INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
                SELECT @job, done.document_id, @event, NULL, 100, @message, NULL, @now FROM done
                RETURNING id, document_id
                """, r => (EventId: r.GetInt64(0), DocumentId: r.GetGuid(1)), CancellationToken.None,
                ("now", now), ("job", lease.JobId), ("attempt", lease.Attempt), ("rid", resultId), ("content", result.Content),
                ("data", result.DataJson), ("stages", result.StagesJson), ("title", result.Title), ("category", result.Category),
                ("number_key", result.Keys?.NumberKey), ("total_key", result.Keys?.TotalKey), ("sources", ProcessedSources),
                ("event", EventNames.JobCompleted), ("message", CompletedMessage));
            if (stored.Count == 0) return false;
            Announce(s, new JobEvent(stored[0].EventId, lease.JobId, stored[0].DocumentId, EventNames.JobCompleted, null, 100,
                CompletedMessage, now, null));
            s.AfterCommit(() => metrics?.Succeeded());
            return true;
        }, CancellationToken.None);

    public Task<FailureOutcome> FailAsync(JobLease lease, string error, string? stage, bool permanent, TimeSpan retryDelay,
        CancellationToken cancellationToken) =>
        WriteAsync(async s =>
        {
            // FOR UPDATE: the decision below (fail, cancel or retry) must not race a cancel request.
            var rows = await s.QueryAsync("""
                SELECT document_id, max_attempts, cancel_requested FROM jobs
                WHERE id = @id AND attempt = @attempt AND state = 'running' FOR UPDATE
                """, r => (DocumentId: r.GetGuid(0), MaxAttempts: r.GetInt32(1), CancelRequested: r.GetBoolean(2)), cancellationToken,
                ("id", lease.JobId), ("attempt", lease.Attempt));
            if (rows.Count == 0) return FailureOutcome.LeaseLost;
            var (documentId, maxAttempts, cancelRequested) = rows[0];

            var now = Now();
            var entry = ErrorEntry(lease.Attempt, now, stage, error, permanent);
            if (permanent || lease.Attempt >= maxAttempts)
            {
                await s.ExecuteAsync("""
                    UPDATE jobs SET state = 'failed', last_error = @error, errors = (errors::jsonb || jsonb_build_array(@entry::jsonb))::text,
                                    finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id
                    """, cancellationToken, ("error", error), ("entry", entry), ("now", now), ("id", lease.JobId));
                var reason = permanent ? error : $"{error} (gave up after {lease.Attempt} attempts)";
                await FailDocumentAsync(s, documentId, reason, now, cancellationToken);
                await AddEventAsync(s, lease.JobId, documentId, EventNames.JobFailed, stage, 100, reason, error, now, cancellationToken);
                s.AfterCommit(() => metrics?.Failed(permanent ? FailureReasons.Unprocessable : FailureReasons.AttemptsExhausted));
                return FailureOutcome.Failed;
            }

            if (cancelRequested)
            {
                // Someone asked to stop this job: a retry would only run what they cancelled.
                await s.ExecuteAsync("""
                    UPDATE jobs SET state = 'cancelled', last_error = @error, errors = (errors::jsonb || jsonb_build_array(@entry::jsonb))::text,
                                    finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id
                    """, cancellationToken, ("error", error), ("entry", entry), ("now", now), ("id", lease.JobId));
                await MoveDocumentAsync(s, documentId, "cancelled", CancelledSources, now, cancellationToken);
                await AddEventAsync(s, lease.JobId, documentId, EventNames.JobCancelled, stage, 100, "Cancelled (the attempt had failed)",
                    error, now, cancellationToken);
                s.AfterCommit(() => metrics?.Cancelled());
                return FailureOutcome.Cancelled;
            }

            await s.ExecuteAsync("""
                UPDATE jobs SET state = 'queued', scheduled_at = @at, last_error = @error,
                                errors = (errors::jsonb || jsonb_build_array(@entry::jsonb))::text, lease_expires_at = NULL
                WHERE id = @id
                """, cancellationToken, ("at", now + retryDelay), ("error", error), ("entry", entry), ("id", lease.JobId));
            await MoveDocumentAsync(s, documentId, "queued", QueuedSources, now, cancellationToken);
            var message = $"Attempt {lease.Attempt} of {maxAttempts} failed; retrying in {retryDelay.TotalSeconds:0.#} s";
            await AddEventAsync(s, lease.JobId, documentId, EventNames.JobRetrying, stage, 0, message, error, now, cancellationToken);
            s.AfterCommit(() => metrics?.Retried(FailureReasons.Error));
            return FailureOutcome.RetryScheduled;
        }, cancellationToken);

    public Task<bool> AcknowledgeCancelAsync(JobLease lease, string? stage, CancellationToken cancellationToken) =>
        WriteAsync(async s =>
        {
            var now = Now();
            if (await s.ScalarAsync("""
                    UPDATE jobs SET state = 'cancelled', finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id AND attempt = @attempt AND state = 'running'
                    RETURNING document_id
                    """, cancellationToken, ("now", now), ("id", lease.JobId), ("attempt", lease.Attempt)) is not Guid documentId)
                return false;
            await MoveDocumentAsync(s, documentId, "cancelled", CancelledSources, now, cancellationToken);
            await AddEventAsync(s, lease.JobId, documentId, EventNames.JobCancelled, stage, 100,
                stage is null ? "Cancelled" : $"Cancelled before {stage}", null, now, cancellationToken);
            s.AfterCommit(() => metrics?.Cancelled());
            return true;
        }, cancellationToken);

    public Task<CancelOutcome> RequestCancelAsync(Guid jobId, Guid? ownerId, CancellationToken cancellationToken) =>
        WriteAsync<CancelOutcome>(async s =>
        {
            // FOR UPDATE: a claim between this read and the write below would otherwise turn a
            // "cancel the queued job" into cancelling a job a worker is already running.
            var rows = await s.QueryAsync("SELECT state, document_id, owner_id FROM jobs WHERE id = @id FOR UPDATE",
                r => (State: r.GetString(0), DocumentId: r.GetGuid(1), OwnerId: r.GetGuid(2)), cancellationToken, ("id", jobId));
            if (rows.Count == 0 || (ownerId is { } owner && rows[0].OwnerId != owner))
                return new CancelOutcome.NotFound();
            var (state, documentId, _) = rows[0];

            var now = Now();
            switch (Wire.ParseJobState(state))
            {
                case JobState.Queued:
                    await s.ExecuteAsync("UPDATE jobs SET state = 'cancelled', finalized_at = @now WHERE id = @id AND state = 'queued'",
                        cancellationToken, ("now", now), ("id", jobId));
                    await MoveDocumentAsync(s, documentId, "cancelled", CancelledSources, now, cancellationToken);
                    await AddEventAsync(s, jobId, documentId, EventNames.JobCancelled, null, 100, "Cancelled before it started", null, now,
                        cancellationToken);
                    s.AfterCommit(() => metrics?.Cancelled());
                    return new CancelOutcome.Cancelled();
                case JobState.Running:
                    await s.ExecuteAsync("UPDATE jobs SET cancel_requested = true WHERE id = @id", cancellationToken, ("id", jobId));
                    // For the worker running it; the heartbeat also reports the request if this signal is lost.
                    var payload = System.Text.Encoding.UTF8.GetBytes(jobId.ToString("D"));
                    s.AfterCommit(() => Observe(bus.PublishAsync(BusChannels.JobsCancel, payload)));
                    return new CancelOutcome.Requested();
                case var finished:
                    return new CancelOutcome.AlreadyFinished(finished);
            }
        }, cancellationToken);

    public Task<int> RescueExpiredAsync(CancellationToken cancellationToken) =>
        WriteAsync(async s =>
        {
            var now = Now();
            // SKIP LOCKED: two rescuers (one per node) split the expired jobs instead of queueing behind each other;
            // a job whose worker is completing it right now is left for the next round.
            var expired = await s.QueryAsync("""
                SELECT id, document_id, attempt, max_attempts, cancel_requested, attempted_by FROM jobs
                WHERE state = 'running' AND lease_expires_at < @now
                LIMIT 1000 FOR UPDATE SKIP LOCKED
                """, r => (Id: r.GetGuid(0), DocumentId: r.GetGuid(1), Attempt: r.GetInt32(2), MaxAttempts: r.GetInt32(3),
                    CancelRequested: r.GetBoolean(4), Worker: r.IsDBNull(5) ? null : r.GetString(5)),
                cancellationToken, ("now", now));

            int rescued = 0, requeued = 0;
            foreach (var job in expired)
            {
                var lost = $"The worker {job.Worker} stopped responding (lease expired)";
                var entry = ErrorEntry(job.Attempt, now, null, lost, false);
                var newState = job.CancelRequested ? "cancelled" : job.Attempt >= job.MaxAttempts ? "failed" : "queued";
                var changed = await s.ExecuteAsync("""
                    UPDATE jobs SET state = @state, lease_expires_at = NULL, scheduled_at = @now, last_error = @error,
                                    errors = (errors::jsonb || jsonb_build_array(@entry::jsonb))::text,
                                    finalized_at = CASE WHEN @state = 'queued' THEN NULL ELSE @now END
                    WHERE id = @id AND attempt = @attempt AND state = 'running' AND lease_expires_at < @now
                    """, cancellationToken, ("state", newState), ("now", now), ("error", lost), ("entry", entry), ("id", job.Id),
                    ("attempt", job.Attempt));
                if (changed == 0) continue;
                rescued++;

                switch (newState)
                {
                    case "cancelled":
                        await MoveDocumentAsync(s, job.DocumentId, "cancelled", CancelledSources, now, cancellationToken);
                        await AddEventAsync(s, job.Id, job.DocumentId, EventNames.JobCancelled, null, 100, "Cancelled", null, now,
                            cancellationToken);
                        s.AfterCommit(() => metrics?.Cancelled());
                        break;
                    case "failed":
                        var reason = $"{lost}; gave up after {job.Attempt} attempts";
                        await FailDocumentAsync(s, job.DocumentId, reason, now, cancellationToken);
                        await AddEventAsync(s, job.Id, job.DocumentId, EventNames.JobFailed, null, 100, reason, lost, now, cancellationToken);
                        s.AfterCommit(() => metrics?.Failed(FailureReasons.WorkerLost));
                        break;
                    default:
                        requeued++;
                        await MoveDocumentAsync(s, job.DocumentId, "queued", QueuedSources, now, cancellationToken);
                        await AddEventAsync(s, job.Id, job.DocumentId, EventNames.JobRetrying, null, 0,
                            $"{lost}; queued again (attempt {job.Attempt} of {job.MaxAttempts} used)", lost, now, cancellationToken);
                        s.AfterCommit(() => metrics?.Retried(FailureReasons.WorkerLost));
                        break;
                }
            }
            if (requeued > 0) WakeWorkers(s);
            return rescued;
        }, cancellationToken);

    public async Task<IReadOnlyList<JobEvent>> EventsAsync(EventScope scope, Guid id, long afterId, int limit, CancellationToken cancellationToken)
    {
        var column = scope == EventScope.Job ? "job_id" : "document_id";
        await using var command = dataSource.CreateCommand($"""
            SELECT id, job_id, document_id, event, stage, progress, message, error, created_at FROM job_events
            WHERE {column} = @id AND id > @after ORDER BY id LIMIT @limit
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<JobEvent>();
        while (await reader.ReadAsync(cancellationToken))
            events.Add(new JobEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(7) ? null : reader.GetString(7)));
        return events;
    }

    public async Task<long> LastEventIdAsync(EventScope scope, Guid id, CancellationToken cancellationToken)
    {
        var column = scope == EventScope.Job ? "job_id" : "document_id";
        await using var command = dataSource.CreateCommand($"SELECT MAX(id) FROM job_events WHERE {column} = @id");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is long last ? last : 0L;
    }

    /// <summary>
    /// One transaction per call. The after-commit actions (bus publishes) run only once the commit
    /// returned, in the order they were added, so listeners never see an event the table lacks.
    /// </summary>
    /// <summary>
    /// For work that is one statement: a statement is atomic on its own, so no BEGIN/COMMIT round
    /// trip; the after-commit actions run once it returned.
    /// </summary>
    private async Task<T> WriteOneStatementAsync<T>(Func<PostgresSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var session = new PostgresSession(connection, null);
        var result = await work(session);
        foreach (var action in session.AfterCommitActions) action();
        return result;
    }

    private async Task<T> WriteAsync<T>(Func<PostgresSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = new PostgresSession(connection, transaction);
        var result = await work(session);
        // Not cancellable: a commit cancelled on the way could still succeed on the server, and a
        // claim the caller never heard of would sit running until its lease expired.
        await transaction.CommitAsync(CancellationToken.None);
        foreach (var action in session.AfterCommitActions) action();
        return result;
    }

    private Task<int> InsertJobAsync(PostgresSession s, Guid jobId, Guid documentId, Guid ownerId, Guid? retryOf, string? startStage,
        JobOrigin origin, DateTimeOffset now, CancellationToken cancellationToken) =>
        s.ExecuteAsync("""
            INSERT INTO jobs (id, document_id, owner_id, kind, state, priority, attempt, max_attempts, scheduled_at, retry_of, created_at,
                              start_stage, request_id, trace_parent)
            VALUES (@id, @doc, @owner, 'process', 'queued', 0, 0, @max, @now, @retry, @now, @start, @request, @trace)
            """, cancellationToken, ("id", jobId), ("doc", documentId), ("owner", ownerId), ("max", _options.MaxAttempts), ("now", now),
            ("retry", retryOf), ("start", startStage), ("request", origin.RequestId), ("trace", origin.TraceParent));

    private static Task<int> MoveDocumentAsync(PostgresSession s, Guid documentId, string status, string[] sources, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        s.ExecuteAsync("""
            UPDATE documents SET status = @status, updated_at = @now, version = version + 1
            WHERE id = @id AND status = ANY(@sources)
            """, cancellationToken, ("status", status), ("now", now), ("id", documentId), ("sources", sources));

    private static Task<int> FailDocumentAsync(PostgresSession s, Guid documentId, string reason, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        s.ExecuteAsync("""
            UPDATE documents SET status = 'failed', failure_reason = @reason, updated_at = @now, version = version + 1
            WHERE id = @id AND status = ANY(@sources)
            """, cancellationToken, ("reason", reason), ("now", now), ("id", documentId), ("sources", FailedSources));

    /// <summary>Stores an event; it is published once (and only if) the transaction commits.</summary>
    private async Task AddEventAsync(PostgresSession s, Guid jobId, Guid documentId, string name, string? stage, int progress,
        string? message, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = (long)(await s.ScalarAsync("""
            INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
            VALUES (@job, @doc, @event, @stage, @progress, @message, @error, @now) RETURNING id
            """, cancellationToken, ("job", jobId), ("doc", documentId), ("event", name), ("stage", stage), ("progress", progress),
            ("message", message), ("error", error), ("now", now)))!;
        Announce(s, new JobEvent(id, jobId, documentId, name, stage, progress, message, now, error));
    }

    /// <summary>Publishes a stored event once (and only if) the transaction commits.</summary>
    private void Announce(PostgresSession s, JobEvent stored) => s.AfterCommit(() => Observe(bus.PublishEventsAsync([stored])));

    private void WakeWorkers(PostgresSession s) =>
        s.AfterCommit(() => Observe(bus.PublishAsync(BusChannels.JobsAvailable, ReadOnlyMemory<byte>.Empty)));

    /// <summary>Buses enqueue synchronously (so order holds); a publish that fails later is only a lost signal.</summary>
    private static void Observe(ValueTask publish)
    {
        if (publish.IsCompletedSuccessfully) return;
        publish.AsTask().ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    /// <summary>The same entry SQLite stores (instant as epoch milliseconds), so the API shows one format.</summary>
    private static string ErrorEntry(int attempt, DateTimeOffset now, string? stage, string error, bool permanent) =>
        System.Text.Json.JsonSerializer.Serialize(new { attempt, at = now.ToUnixTimeMilliseconds(), stage, error, permanent });

    /// <summary>
    /// PostgreSQL stores microseconds; a .NET instant has 100 ns ticks. Truncating here keeps the
    /// instant published on the bus equal to the one a reader gets back from the table.
    /// </summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
    }

    private sealed record Completion(JobLease Lease, ResultToStore Result);

    private static string[] Sources(DocumentStatus target) => DocumentStateMachine.SourcesOf(target).Select(Wire.Name).ToArray();
}
