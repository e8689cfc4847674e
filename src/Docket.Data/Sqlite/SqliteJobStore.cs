using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Telemetry;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Docket.Data.Sqlite;

/// <summary>
/// The job queue on SQLite. Claims are one UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING,
/// which SQLite runs under its single write lock, so two workers can never claim the same job.
/// Every status change is guarded by the state machines' source states in its WHERE clause.
/// </summary>
public sealed class SqliteJobStore(SqliteDatabase db, IEventBus bus, IOptions<QueueOptions> options, TimeProvider clock,
    QueueMetrics? metrics = null)
    : IJobStore
{
    private static readonly string QueuedSources = InList(DocumentStateMachine.SourcesOf(DocumentStatus.Queued));
    private static readonly string ProcessingSources = InList(DocumentStateMachine.SourcesOf(DocumentStatus.Processing));
    private static readonly string ProcessedSources = InList(DocumentStateMachine.SourcesOf(DocumentStatus.Processed));
    private static readonly string FailedSources = InList(DocumentStateMachine.SourcesOf(DocumentStatus.Failed));
    private static readonly string CancelledSources = InList(DocumentStateMachine.SourcesOf(DocumentStatus.Cancelled));

    private readonly QueueOptions _options = options.Value;

    public async Task<IReadOnlyList<EnqueuedJob>> AddDocumentsAsync(IReadOnlyList<NewDocument> documents, CancellationToken cancellationToken)
    {
        using var span = DocketTracing.Source.StartActivity("enqueue");
        var origin = JobOrigin.Current();
        return await db.WriteAsync(s =>
        {
            var now = Now();
            var jobs = new List<EnqueuedJob>(documents.Count);
            foreach (var d in documents)
            {
                var jobId = Guid.CreateVersion7();
                // Without INDEXED BY the planner prefers (owner_id, created_at), which serves the ORDER BY but
                // reads every one of the owner's documents: an upload got slower with each document stored.
                var duplicateOf = s.Scalar("""
                    SELECT id FROM documents INDEXED BY ix_documents_owner_sha256
                    WHERE owner_id = @owner AND sha256 = @sha ORDER BY created_at, id LIMIT 1
                    """, ("@owner", Id(d.OwnerId)), ("@sha", d.Sha256)) as string;
                s.Execute("""
                    INSERT INTO documents (id, owner_id, filename, file_type, content_type, size_bytes, sha256, storage_key,
                                           status, current_job_id, version, created_at, updated_at)
                    VALUES (@id, @owner, @name, @type, @ctype, @size, @sha, @key, 'queued', @job, 1, @now, @now)
                    """,
                    ("@id", Id(d.Id)), ("@owner", Id(d.OwnerId)), ("@name", d.FileName), ("@type", d.FileType),
                    ("@ctype", d.ContentType), ("@size", d.SizeBytes), ("@sha", d.Sha256), ("@key", d.StorageKey),
                    ("@job", Id(jobId)), ("@now", now));
                if (d.Content is { } content)
                    s.Execute("INSERT INTO document_contents (document_id, content) VALUES (@id, @content)",
                        ("@id", Id(d.Id)), ("@content", content));
                InsertJob(s, jobId, d.Id, d.OwnerId, retryOf: null, startStage: null, origin, now);
                AddEvent(s, jobId, d.Id, EventNames.JobQueued, null, 0, "Queued for processing", null, now);
                jobs.Add(new EnqueuedJob(d.Id, jobId, DocumentStatus.Queued, duplicateOf is null ? null : Guid.Parse(duplicateOf)));
            }
            s.AfterCommit(() => metrics?.Created(documents.Count));
            WakeWorkers(s);
            return jobs;
        });
    }

    public async Task<EnqueueOutcome> EnqueueAsync(Guid documentId, Guid ownerId, IReadOnlyCollection<DocumentStatus> allowedFrom, Guid? retryOf,
        CancellationToken cancellationToken, string? startStage = null)
    {
        using var span = DocketTracing.Source.StartActivity("enqueue");
        var origin = JobOrigin.Current();
        return await db.WriteAsync<EnqueueOutcome>(s =>
        {
            string statusText;
            string? currentJob;
            using (var reader = s.Query("SELECT status, current_job_id FROM documents WHERE id = @id AND owner_id = @owner",
                       ("@id", Id(documentId)), ("@owner", Id(ownerId))))
            {
                if (!reader.Read()) return new EnqueueOutcome.NotFound();
                statusText = reader.GetString(0);
                currentJob = reader.IsDBNull(1) ? null : reader.GetString(1);
            }

            var status = Wire.ParseDocumentStatus(statusText);
            if (retryOf is { } retried)
            {
                var jobState = s.Scalar("SELECT state FROM jobs WHERE id = @id AND document_id = @doc",
                    ("@id", Id(retried)), ("@doc", Id(documentId))) as string;
                if (jobState is null) return new EnqueueOutcome.NotFound();
                if (!JobStateMachine.CanRetry(Wire.ParseJobState(jobState)))
                    return new EnqueueOutcome.NotRetryable($"Only a failed or cancelled job can be retried; this one is {jobState}.");
                if (currentJob != Id(retried))
                    return new EnqueueOutcome.NotRetryable("A newer job exists for this document; retry that one instead.");
            }

            // Processing -> Queued is the running job's own way back (lease lost, retry scheduled); a new job
            // from there would run beside it, so it is refused whatever the caller allows.
            if (!allowedFrom.Contains(status) || status == DocumentStatus.Processing
                || !DocumentStateMachine.CanMove(status, DocumentStatus.Queued))
                return new EnqueueOutcome.WrongStatus(status);

            var now = Now();
            var jobId = Guid.CreateVersion7();
            var moved = s.Execute("""
                UPDATE documents SET status = 'queued', current_job_id = @job, failure_reason = NULL,
                                     updated_at = @now, version = version + 1
                WHERE id = @id AND status = @status
                """, ("@job", Id(jobId)), ("@now", now), ("@id", Id(documentId)), ("@status", statusText));
            if (moved == 0) return new EnqueueOutcome.WrongStatus(status);
            InsertJob(s, jobId, documentId, ownerId, retryOf, startStage, origin, now);
            AddEvent(s, jobId, documentId, EventNames.JobQueued, null, 0, JobMessages.Queued(retryOf, startStage), null, now);
            s.AfterCommit(() => metrics?.Created(1));
            WakeWorkers(s);
            return new EnqueueOutcome.Enqueued(jobId);
        });
    }

    public async Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (limit <= 0) return [];
        return await db.WriteAsync<IReadOnlyList<ClaimedJob>>(s =>
        {
            var now = Now();
            var rows = new List<(Guid JobId, Guid DocumentId, int Attempt, int MaxAttempts, string? StartStage, string? RequestId, string? TraceParent)>();
            using (var reader = s.Query("""
                       UPDATE jobs SET state = 'running', attempt = attempt + 1, attempted_at = @now,
                                       attempted_by = @worker, lease_expires_at = @expires, stage = NULL
                       WHERE id IN (SELECT id FROM jobs WHERE state = 'queued' AND scheduled_at <= @now
                                    ORDER BY priority, scheduled_at, id LIMIT @limit)
                       RETURNING id, document_id, attempt, max_attempts, start_stage, request_id, trace_parent
                       """,
                       ("@now", now), ("@worker", workerId), ("@expires", now + (long)lease.TotalMilliseconds), ("@limit", limit)))
            {
                while (reader.Read())
                    rows.Add((Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetInt32(2), reader.GetInt32(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            var claimed = new List<ClaimedJob>(rows.Count);
            foreach (var row in rows)
            {
                using (var reader = s.Query("""
                           SELECT d.owner_id, d.filename, d.file_type, d.size_bytes, d.storage_key, c.content, d.review
                           FROM documents d LEFT JOIN document_contents c ON c.document_id = d.id WHERE d.id = @id
                           """, ("@id", Id(row.DocumentId))))
                {
                    reader.Read();
                    claimed.Add(new ClaimedJob(new JobLease(row.JobId, row.Attempt), row.DocumentId,
                        Guid.Parse(reader.GetString(0)), row.MaxAttempts, reader.GetString(1), reader.GetString(2),
                        reader.GetInt64(3), reader.GetString(4))
                    {
                        StartStage = row.StartStage,
                        RequestId = row.RequestId,
                        TraceParent = row.TraceParent,
                        Content = reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5),
                        Review = reader.IsDBNull(6) ? null : reader.GetString(6),
                    });
                }
                MoveDocument(s, row.DocumentId, "processing", ProcessingSources, now);
                AddEvent(s, row.JobId, row.DocumentId, EventNames.JobStarted, null, 5,
                    $"Attempt {row.Attempt} of {row.MaxAttempts} started on {workerId}", null, now);
            }
            return claimed;
        });
    }

    public async Task<LeaseStatus> HeartbeatAsync(JobLease lease, TimeSpan extendBy, CancellationToken cancellationToken)
    {
        return await db.WriteAsync(s =>
        {
            var cancel = s.Scalar("""
                UPDATE jobs SET lease_expires_at = @expires
                WHERE id = @id AND attempt = @attempt AND state = 'running'
                RETURNING cancel_requested
                """, ("@expires", Now() + (long)extendBy.TotalMilliseconds), ("@id", Id(lease.JobId)), ("@attempt", lease.Attempt));
            return cancel switch
            {
                null => LeaseStatus.Lost,
                long flag when flag != 0 => LeaseStatus.CancelRequested,
                _ => LeaseStatus.Held,
            };
        });
    }

    public async Task<bool> ReportProgressAsync(JobLease lease, IReadOnlyList<ProgressUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0) return true;
        return await db.WriteAsync(s =>
        {
            if (HeldDocument(s, lease) is not { } documentId) return false;
            var now = Now();
            AddProgressEvents(s, lease.JobId, documentId, updates, now);
            var last = updates[^1];
            s.Execute("UPDATE jobs SET stage = @stage, progress = @progress WHERE id = @id",
                ("@stage", last.Stage), ("@progress", last.Progress), ("@id", Id(lease.JobId)));
            return true;
        });
    }

    public async Task<bool> CompleteAsync(JobLease lease, ResultToStore result, CancellationToken cancellationToken,
        IReadOnlyList<ProgressUpdate>? progress = null)
    {
        return await db.WriteAsync(s =>
        {
            var now = Now();
            if (s.Scalar("""
                    UPDATE jobs SET state = 'succeeded', stage = COALESCE(@stage, stage), progress = 100, finalized_at = @now,
                                    lease_expires_at = NULL
                    WHERE id = @id AND attempt = @attempt AND state = 'running'
                    RETURNING document_id
                    """, ("@stage", progress is [.., var last] ? last.Stage : null), ("@now", now), ("@id", Id(lease.JobId)),
                    ("@attempt", lease.Attempt)) is not string documentText)
                return false;

            var documentId = Guid.Parse(documentText);
            if (progress is { Count: > 0 }) AddProgressEvents(s, lease.JobId, documentId, progress, now);
            var resultId = Guid.CreateVersion7();
            s.Execute("""
                INSERT INTO document_results (id, document_id, job_id, version, content, data, stages, created_at)
                VALUES (@id, @doc, @job,
                        (SELECT COALESCE(MAX(version), 0) + 1 FROM document_results WHERE document_id = @doc),
                        @content, @data, @stages, @now)
                """, ("@id", Id(resultId)), ("@doc", documentText), ("@job", Id(lease.JobId)),
                ("@content", result.Content), ("@data", result.DataJson), ("@stages", result.StagesJson), ("@now", now));
            var owner = s.Scalar($"""
                UPDATE documents SET status = 'processed', current_result_id = @result, title = @title, category = @category,
                                     failure_reason = NULL, processed_at = @now, updated_at = @now, version = version + 1
                WHERE id = @id AND status IN ({ProcessedSources})
                RETURNING owner_id
                """, ("@result", Id(resultId)), ("@title", result.Title), ("@category", result.Category),
                ("@now", now), ("@id", documentText));
            // The keys follow the current result: only a document that took this result as its current one gets them.
            if (owner is string ownerText) StoreKeys(s, documentText, ownerText, result.Keys ?? DuplicateKeys.None);
            AddEvent(s, lease.JobId, documentId, EventNames.JobCompleted, null, 100, "Processing completed; ready for review", null, now);
            s.AfterCommit(() => metrics?.Succeeded());
            return true;
        });
    }

    private static void StoreKeys(SqliteSession s, string documentId, string ownerId, DuplicateKeys keys)
    {
        if (keys.IsEmpty)
            s.Execute("DELETE FROM invoice_keys WHERE document_id = @id", ("@id", documentId));
        else
            s.Execute("""
                INSERT INTO invoice_keys (document_id, owner_id, number_key, total_key) VALUES (@id, @owner, @number, @total)
                ON CONFLICT (document_id) DO UPDATE SET owner_id = excluded.owner_id, number_key = excluded.number_key,
                                                        total_key = excluded.total_key
                """, ("@id", documentId), ("@owner", ownerId), ("@number", keys.NumberKey), ("@total", keys.TotalKey));
    }

    public async Task<FailureOutcome> FailAsync(JobLease lease, string error, string? stage, bool permanent, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        return await db.WriteAsync(s =>
        {
            int maxAttempts;
            Guid documentId;
            bool cancelRequested;
            using (var reader = s.Query("SELECT document_id, max_attempts, cancel_requested FROM jobs WHERE id = @id AND attempt = @attempt AND state = 'running'",
                       ("@id", Id(lease.JobId)), ("@attempt", lease.Attempt)))
            {
                if (!reader.Read()) return FailureOutcome.LeaseLost;
                documentId = Guid.Parse(reader.GetString(0));
                maxAttempts = reader.GetInt32(1);
                cancelRequested = reader.GetInt64(2) != 0;
            }

            var now = Now();
            var errorEntry = System.Text.Json.JsonSerializer.Serialize(new { attempt = lease.Attempt, at = now, stage, error, permanent });
            if (permanent || lease.Attempt >= maxAttempts)
            {
                s.Execute("""
                    UPDATE jobs SET state = 'failed', last_error = @error, errors = json_insert(errors, '$[#]', json(@entry)),
                                    finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id
                    """, ("@error", error), ("@entry", errorEntry), ("@now", now), ("@id", Id(lease.JobId)));
                var reason = permanent ? error : $"{error} (gave up after {lease.Attempt} attempts)";
                s.Execute($"""
                    UPDATE documents SET status = 'failed', failure_reason = @reason, updated_at = @now, version = version + 1
                    WHERE id = @id AND status IN ({FailedSources})
                    """, ("@reason", reason), ("@now", now), ("@id", Id(documentId)));
                AddEvent(s, lease.JobId, documentId, EventNames.JobFailed, stage, 100, reason, error, now);
                s.AfterCommit(() => metrics?.Failed(permanent ? FailureReasons.Unprocessable : FailureReasons.AttemptsExhausted));
                return FailureOutcome.Failed;
            }

            if (cancelRequested)
            {
                // Someone asked to stop this job: a retry would only run what they cancelled.
                s.Execute("""
                    UPDATE jobs SET state = 'cancelled', last_error = @error, errors = json_insert(errors, '$[#]', json(@entry)),
                                    finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id
                    """, ("@error", error), ("@entry", errorEntry), ("@now", now), ("@id", Id(lease.JobId)));
                MoveDocument(s, documentId, "cancelled", CancelledSources, now);
                AddEvent(s, lease.JobId, documentId, EventNames.JobCancelled, stage, 100, "Cancelled (the attempt had failed)", error, now);
                s.AfterCommit(() => metrics?.Cancelled());
                return FailureOutcome.Cancelled;
            }

            s.Execute("""
                UPDATE jobs SET state = 'queued', scheduled_at = @at, last_error = @error,
                                errors = json_insert(errors, '$[#]', json(@entry)), lease_expires_at = NULL
                WHERE id = @id
                """, ("@at", now + (long)retryDelay.TotalMilliseconds), ("@error", error), ("@entry", errorEntry), ("@id", Id(lease.JobId)));
            MoveDocument(s, documentId, "queued", QueuedSources, now);
            var message = $"Attempt {lease.Attempt} of {maxAttempts} failed; retrying in {retryDelay.TotalSeconds:0.#} s";
            AddEvent(s, lease.JobId, documentId, EventNames.JobRetrying, stage, 0, message, error, now);
            s.AfterCommit(() => metrics?.Retried(FailureReasons.Error));
            return FailureOutcome.RetryScheduled;
        });
    }

    public async Task<bool> AcknowledgeCancelAsync(JobLease lease, string? stage, CancellationToken cancellationToken)
    {
        return await db.WriteAsync(s =>
        {
            var now = Now();
            if (s.Scalar("""
                    UPDATE jobs SET state = 'cancelled', finalized_at = @now, lease_expires_at = NULL
                    WHERE id = @id AND attempt = @attempt AND state = 'running'
                    RETURNING document_id
                    """, ("@now", now), ("@id", Id(lease.JobId)), ("@attempt", lease.Attempt)) is not string documentText)
                return false;
            var documentId = Guid.Parse(documentText);
            MoveDocument(s, documentId, "cancelled", CancelledSources, now);
            AddEvent(s, lease.JobId, documentId, EventNames.JobCancelled, stage, 100,
                stage is null ? "Cancelled" : $"Cancelled before {stage}", null, now);
            s.AfterCommit(() => metrics?.Cancelled());
            return true;
        });
    }

    public async Task<CancelOutcome> RequestCancelAsync(Guid jobId, Guid? ownerId, CancellationToken cancellationToken)
    {
        return await db.WriteAsync<CancelOutcome>(s =>
        {
            string state;
            Guid documentId;
            using (var reader = s.Query("SELECT state, document_id, owner_id FROM jobs WHERE id = @id", ("@id", Id(jobId))))
            {
                if (!reader.Read() || (ownerId is { } owner && reader.GetString(2) != Id(owner)))
                    return new CancelOutcome.NotFound();
                state = reader.GetString(0);
                documentId = Guid.Parse(reader.GetString(1));
            }

            var now = Now();
            switch (Wire.ParseJobState(state))
            {
                case JobState.Queued:
                    s.Execute("UPDATE jobs SET state = 'cancelled', finalized_at = @now WHERE id = @id AND state = 'queued'",
                        ("@now", now), ("@id", Id(jobId)));
                    MoveDocument(s, documentId, "cancelled", CancelledSources, now);
                    AddEvent(s, jobId, documentId, EventNames.JobCancelled, null, 100, "Cancelled before it started", null, now);
                    s.AfterCommit(() => metrics?.Cancelled());
                    return new CancelOutcome.Cancelled();
                case JobState.Running:
                    s.Execute("UPDATE jobs SET cancel_requested = 1 WHERE id = @id", ("@id", Id(jobId)));
                    // For the worker running it; the heartbeat also reports the request if this signal is lost.
                    var payload = System.Text.Encoding.UTF8.GetBytes(Id(jobId));
                    s.AfterCommit(() => Observe(bus.PublishAsync(BusChannels.JobsCancel, payload)));
                    return new CancelOutcome.Requested();
                case var finished:
                    return new CancelOutcome.AlreadyFinished(finished);
            }
        });
    }

    public async Task<int> RescueExpiredAsync(CancellationToken cancellationToken)
    {
        return await db.WriteAsync(s =>
        {
            var now = Now();
            var expired = new List<(string Id, Guid DocumentId, int Attempt, int MaxAttempts, bool CancelRequested, string? Worker)>();
            using (var reader = s.Query("""
                       SELECT id, document_id, attempt, max_attempts, cancel_requested, attempted_by FROM jobs
                       WHERE state = 'running' AND lease_expires_at < @now LIMIT 1000
                       """, ("@now", now)))
            {
                while (reader.Read())
                    expired.Add((reader.GetString(0), Guid.Parse(reader.GetString(1)), reader.GetInt32(2), reader.GetInt32(3),
                        reader.GetInt64(4) != 0, reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            int rescued = 0, requeued = 0;
            foreach (var job in expired)
            {
                var jobId = Guid.Parse(job.Id);
                var lost = $"The worker {job.Worker} stopped responding (lease expired)";
                var entry = System.Text.Json.JsonSerializer.Serialize(new { attempt = job.Attempt, at = now, stage = (string?)null, error = lost, permanent = false });
                string newState = job.CancelRequested ? "cancelled" : job.Attempt >= job.MaxAttempts ? "failed" : "queued";
                var changed = s.Execute("""
                    UPDATE jobs SET state = @state, lease_expires_at = NULL, scheduled_at = @now, last_error = @error,
                                    errors = json_insert(errors, '$[#]', json(@entry)),
                                    finalized_at = CASE WHEN @state = 'queued' THEN NULL ELSE @now END
                    WHERE id = @id AND attempt = @attempt AND state = 'running' AND lease_expires_at < @now
                    """, ("@state", newState), ("@now", now), ("@error", lost), ("@entry", entry), ("@id", job.Id), ("@attempt", job.Attempt));
                if (changed == 0) continue;
                rescued++;

                switch (newState)
                {
                    case "cancelled":
                        MoveDocument(s, job.DocumentId, "cancelled", CancelledSources, now);
                        AddEvent(s, jobId, job.DocumentId, EventNames.JobCancelled, null, 100, "Cancelled", null, now);
                        s.AfterCommit(() => metrics?.Cancelled());
                        break;
                    case "failed":
                        var reason = $"{lost}; gave up after {job.Attempt} attempts";
                        s.Execute($"""
                            UPDATE documents SET status = 'failed', failure_reason = @reason, updated_at = @now, version = version + 1
                            WHERE id = @id AND status IN ({FailedSources})
                            """, ("@reason", reason), ("@now", now), ("@id", Id(job.DocumentId)));
                        AddEvent(s, jobId, job.DocumentId, EventNames.JobFailed, null, 100, reason, lost, now);
                        s.AfterCommit(() => metrics?.Failed(FailureReasons.WorkerLost));
                        break;
                    default:
                        requeued++;
                        MoveDocument(s, job.DocumentId, "queued", QueuedSources, now);
                        AddEvent(s, jobId, job.DocumentId, EventNames.JobRetrying, null, 0,
                            $"{lost}; queued again (attempt {job.Attempt} of {job.MaxAttempts} used)", lost, now);
                        s.AfterCommit(() => metrics?.Retried(FailureReasons.WorkerLost));
                        break;
                }
            }
            if (requeued > 0) WakeWorkers(s);
            return rescued;
        });
    }

    public Task<IReadOnlyList<JobEvent>> EventsAsync(EventScope scope, Guid id, long afterId, int limit, CancellationToken cancellationToken)
    {
        var column = scope == EventScope.Job ? "job_id" : "document_id";
        var events = db.Read(s =>
        {
            using var reader = s.Query($"""
                SELECT id, job_id, document_id, event, stage, progress, message, error, created_at FROM job_events
                WHERE {column} = @id AND id > @after ORDER BY id LIMIT @limit
                """, ("@id", Id(id)), ("@after", afterId), ("@limit", limit));
            var events = new List<JobEvent>();
            while (reader.Read())
                events.Add(new JobEvent(reader.GetInt64(0), Guid.Parse(reader.GetString(1)), Guid.Parse(reader.GetString(2)),
                    reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                    reader.IsDBNull(7) ? null : reader.GetString(7)));
            return events;
        });
        return Task.FromResult<IReadOnlyList<JobEvent>>(events);
    }

    public Task<long> LastEventIdAsync(EventScope scope, Guid id, CancellationToken cancellationToken)
    {
        var column = scope == EventScope.Job ? "job_id" : "document_id";
        var last = db.Read(s => s.Scalar($"SELECT MAX(id) FROM job_events WHERE {column} = @id", ("@id", Id(id))));
        return Task.FromResult(last is long value ? value : 0L);
    }

    private void InsertJob(SqliteSession s, Guid jobId, Guid documentId, Guid ownerId, Guid? retryOf, string? startStage, JobOrigin origin,
        long now) =>
        s.Execute("""
            INSERT INTO jobs (id, document_id, owner_id, kind, state, priority, attempt, max_attempts, scheduled_at, retry_of, created_at,
                              start_stage, request_id, trace_parent)
            VALUES (@id, @doc, @owner, 'process', 'queued', 0, 0, @max, @now, @retry, @now, @start, @request, @trace)
            """, ("@id", Id(jobId)), ("@doc", Id(documentId)), ("@owner", Id(ownerId)), ("@max", _options.MaxAttempts),
            ("@now", now), ("@retry", retryOf is { } r ? Id(r) : null), ("@start", startStage), ("@request", origin.RequestId),
            ("@trace", origin.TraceParent));

    private static void MoveDocument(SqliteSession s, Guid documentId, string status, string sources, long now) =>
        s.Execute($"""
            UPDATE documents SET status = '{status}', updated_at = @now, version = version + 1
            WHERE id = @id AND status IN ({sources})
            """, ("@now", now), ("@id", Id(documentId)));

    private static Guid? HeldDocument(SqliteSession s, JobLease lease) =>
        s.Scalar("SELECT document_id FROM jobs WHERE id = @id AND attempt = @attempt AND state = 'running'",
            ("@id", Id(lease.JobId)), ("@attempt", lease.Attempt)) is string text ? Guid.Parse(text) : null;

    /// <summary>Stores an event; it is published once (and only if) the write commits.</summary>
    private void AddEvent(SqliteSession s, Guid jobId, Guid documentId, string name, string? stage, int progress,
        string? message, string? error, long now)
    {
        var id = (long)s.Scalar("""
            INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at)
            VALUES (@job, @doc, @event, @stage, @progress, @message, @error, @now) RETURNING id
            """, ("@job", Id(jobId)), ("@doc", Id(documentId)), ("@event", name), ("@stage", stage),
            ("@progress", progress), ("@message", message), ("@error", error), ("@now", now))!;
        var stored = new JobEvent(id, jobId, documentId, name, stage, progress, message, DateTimeOffset.FromUnixTimeMilliseconds(now), error);
        s.AfterCommit(() => Observe(bus.PublishEventsAsync([stored])));
    }

    /// <summary>
    /// Stores a job's progress events with one multi-row INSERT (a job's stage events come in a batch), and
    /// publishes them once the write commits. AUTOINCREMENT under the single write lock numbers the rows in
    /// the order of the VALUES, so the returned ids, sorted, belong to the updates in order.
    /// </summary>
    private void AddProgressEvents(SqliteSession s, Guid jobId, Guid documentId, IReadOnlyList<ProgressUpdate> updates, long now)
    {
        for (var start = 0; start < updates.Count; start += MaxEventRows)
        {
            var count = Math.Min(MaxEventRows, updates.Count - start);
            var parameters = new (string, object?)[3 + 4 * count];
            parameters[0] = ("@job", Id(jobId));
            parameters[1] = ("@doc", Id(documentId));
            parameters[2] = ("@now", now);
            for (var i = 0; i < count; i++)
            {
                var u = updates[start + i];
                parameters[3 + 4 * i] = (EventParameterNames[i, 0], u.Event);
                parameters[4 + 4 * i] = (EventParameterNames[i, 1], u.Stage);
                parameters[5 + 4 * i] = (EventParameterNames[i, 2], u.Progress);
                parameters[6 + 4 * i] = (EventParameterNames[i, 3], u.Message);
            }
            var ids = new List<long>(count);
            using (var reader = s.Query(ProgressInserts[count - 1], parameters))
                while (reader.Read()) ids.Add(reader.GetInt64(0));
            ids.Sort();
            var stored = new JobEvent[count];
            for (var i = 0; i < count; i++)
            {
                var u = updates[start + i];
                stored[i] = new JobEvent(ids[i], jobId, documentId, u.Event, u.Stage, u.Progress, u.Message,
                    DateTimeOffset.FromUnixTimeMilliseconds(now), null);
            }
            s.AfterCommit(() => Observe(bus.PublishEventsAsync(stored)));
        }
    }

    private const int MaxEventRows = 16;

    private static readonly string[,] EventParameterNames = BuildEventParameterNames(MaxEventRows);

    private static readonly string[] ProgressInserts = [.. Enumerable.Range(1, MaxEventRows).Select(count =>
        "INSERT INTO job_events (job_id, document_id, event, stage, progress, message, error, created_at) VALUES " +
        string.Join(", ", Enumerable.Range(0, count).Select(i => $"(@job, @doc, @e{i}, @s{i}, @p{i}, @m{i}, NULL, @now)")) +
        " RETURNING id")];

    private static string[,] BuildEventParameterNames(int rows)
    {
        var names = new string[rows, 4];
        for (var i = 0; i < rows; i++)
        {
            names[i, 0] = $"@e{i}";
            names[i, 1] = $"@s{i}";
            names[i, 2] = $"@p{i}";
            names[i, 3] = $"@m{i}";
        }
        return names;
    }

    private void WakeWorkers(SqliteSession s) =>
        s.AfterCommit(() => Observe(bus.PublishAsync(BusChannels.JobsAvailable, ReadOnlyMemory<byte>.Empty)));

    /// <summary>Buses enqueue synchronously (so order holds); a publish that fails later is only a lost signal.</summary>
    private static void Observe(ValueTask publish)
    {
        if (publish.IsCompletedSuccessfully) return;
        publish.AsTask().ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Id(Guid id) => id.ToString("D");

    private static string InList(IEnumerable<DocumentStatus> statuses) =>
        string.Join(", ", statuses.Select(status => $"'{Wire.Name(status)}'"));
}
