using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Core.Pipeline;
using Docket.Data;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Documents;
using Docket.Server.Observability;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Admin;

public sealed record DeadLetter(Guid JobId, Guid DocumentId, string Filename, int Attempts, string? LastError,
    DateTimeOffset? FailedAt, System.Text.Json.JsonElement Errors);

public sealed record RequeueResponse(Guid JobId, Guid DocumentId, Guid RequeuedFrom);

/// <summary>Body of POST /admin/failed-jobs/requeue: the dead letters named, or every one whose error contains the text.</summary>
public sealed record RequeueManyRequest(IReadOnlyList<Guid>? JobIds, string? Error);

public sealed record RequeueRefusal(Guid JobId, string Code, string Message);

public sealed record RequeueManyResponse(IReadOnlyList<RequeueResponse> Requeued, IReadOnlyList<RequeueRefusal> Refused);

/// <summary>A job a worker is running now.</summary>
public sealed record RunningJobView(Guid JobId, Guid DocumentId, string? Stage, int Progress, int Attempt, DateTimeOffset? LeaseExpiresAt);

/// <param name="RunningJobs">How many jobs it runs now (also the length of <paramref name="CurrentJobs"/>).</param>
/// <param name="Alive">Its last heartbeat is recent; a worker that stopped answering stays listed, not alive, until maintenance prunes it.</param>
public sealed record WorkerView(
    string WorkerId, int RunningJobs, DateTimeOffset? LeaseExpiresAt, string? Host, int? ProcessId, int? Slots, DateTimeOffset? StartedAt,
    DateTimeOffset? LastHeartbeatAt, bool Alive, IReadOnlyList<RunningJobView> CurrentJobs);

public sealed record Throughput(int LastMinute, int Last5Minutes, int Last15Minutes);

public sealed record StatsView(
    IReadOnlyDictionary<string, int> JobsByState, IReadOnlyDictionary<string, int> DocumentsByStatus, int QueueDepth,
    double? OldestQueuedSeconds, Throughput Succeeded, Throughput Failed, IReadOnlyList<WorkerView> Workers, int DeadLetters);

public sealed record StageView(string Name, string Phase);

public sealed record PipelineView(IReadOnlyList<StageView> Stages);

/// <summary>Body of POST /admin/documents/{id}/reprocess.</summary>
public sealed record StageReprocessRequest(string? FromStage);

public sealed record StageReprocessResponse(Guid DocumentId, Guid JobId, string FromStage, IReadOnlyList<string> ReusedStages);

/// <summary>
/// The operations API for admins: queue depth and throughput, workers, dead letters and requeues, and
/// reprocessing from a chosen stage. Who may call it is decided once, on the group (<see cref="AdminAccess"/>).
/// </summary>
public static class AdminApi
{
    private const int MaxRequeue = 1000;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("Admin").RequireAdmin();
        admin.MapGet("/failed-jobs", FailedJobs).Produces<Paged<DeadLetter>>().Errors(400, 403).WithName("ListDeadLetters")
            .WithSummary("Jobs that failed for good and were not retried since (dead letters); filter by error text");
        admin.MapPost("/failed-jobs/{id:guid}/requeue", Requeue).Produces<RequeueResponse>(202).Errors(403, 404, 409).WithName("RequeueDeadLetter")
            .WithSummary("Run a dead letter again, as a new job");
        admin.MapPost("/failed-jobs/requeue", RequeueMany).Produces<RequeueManyResponse>().Errors(400, 403).WithName("RequeueDeadLetters")
            .WithSummary($"Requeue many dead letters: the ids given, or every one whose error contains a text (at most {MaxRequeue} per call)");
        admin.MapGet("/stats", Stats).Produces<StatsView>().Errors(403).WithName("GetStats")
            .WithSummary("Queue depth, throughput over the last 1, 5 and 15 minutes, workers and dead letters");
        admin.MapGet("/workers", Workers).Produces<IReadOnlyList<WorkerView>>().Errors(403).WithName("ListWorkers")
            .WithSummary("Every worker process with its last heartbeat and the jobs it runs now");
        admin.MapGet("/pipeline", Pipeline).Produces<PipelineView>().Errors(403).WithName("GetPipeline")
            .WithSummary("The pipeline's stages in order: the names reprocessing may start from");
        admin.MapPost("/documents/{id:guid}/reprocess", ReprocessFromStage).Produces<StageReprocessResponse>(202).Errors(400, 403, 404, 409)
            .WithName("ReprocessFromStage")
            .WithSummary("Run the pipeline again from a chosen stage, reusing the stored outputs of the stages before it");
        return routes;
    }

    /// <summary>A failed job is a dead letter while it is still its document's latest job.</summary>
    private static IQueryable<Job> DeadLetters(DocketDbContext db) =>
        db.Jobs.Where(j => j.State == JobState.Failed && j.Document!.CurrentJobId == j.Id);

    private static IQueryable<Job> MatchingError(IQueryable<Job> query, string? error)
    {
        if (error is not { Length: > 0 }) return query;
        var pattern = TextSearch.ContainsPattern(error);
        return query.Where(j => j.LastError != null && EF.Functions.Like(TextSearch.Fold(j.LastError), TextSearch.Fold(pattern), TextSearch.Escape));
    }

    private static async Task<IResult> FailedJobs(HttpContext http, DocketDbContext db, string? error, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 50, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = MatchingError(DeadLetters(db), error);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(j => j.FinalizedAt).ThenBy(j => j.Id).Skip(pageRequest.Skip).Take(pageRequest.Size)
            .Select(j => new { j.Id, j.DocumentId, j.Document!.Filename, j.Attempt, j.LastError, j.FinalizedAt, j.Errors })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new DeadLetter(r.Id, r.DocumentId, r.Filename, r.Attempt, r.LastError, r.FinalizedAt,
            System.Text.Json.JsonDocument.Parse(r.Errors).RootElement.Clone())).ToList();
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static Task<IResult> Requeue(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user, TimeProvider clock,
        IdempotencyKeys idempotency, ILogger<DeadLetter> log, CancellationToken cancellationToken) =>
        idempotency.RunAsync(http, user, $"POST /api/v1/admin/failed-jobs/{id}/requeue", async () =>
            await RequeueOneAsync(db, store, user, clock, log, id, cancellationToken) switch
            {
                (RequeueResponse requeued, _) => TypedResults.Accepted($"/api/v1/jobs/{requeued.JobId}", requeued),
                (_, { Code: "not_found" } missing) => ApiErrors.NotFound(http, "job", missing.JobId),
                (_, var refused) => ApiErrors.Conflict(http, refused!.Code, refused.Message),
            }, cancellationToken);

    private static async Task<IResult> RequeueMany(HttpContext http, RequeueManyRequest? request, DocketDbContext db, IJobStore store,
        CurrentUser user, TimeProvider clock, ILogger<DeadLetter> log, CancellationToken cancellationToken)
    {
        var ids = request?.JobIds ?? [];
        var error = request?.Error?.Trim();
        if ((ids.Count == 0) == string.IsNullOrEmpty(error))
            return ApiErrors.BadRequest(http, "invalid_request", "Send either \"job_ids\" (a list) or \"error\" (text the error contains), not both.");
        if (ids.Count > MaxRequeue)
            return ApiErrors.BadRequest(http, "too_many", $"At most {MaxRequeue} jobs per call.", new { max = MaxRequeue });
        var targets = ids.Count > 0
            ? ids.Distinct().ToList()
            : await MatchingError(DeadLetters(db), error).OrderBy(j => j.FinalizedAt).ThenBy(j => j.Id).Take(MaxRequeue)
                .Select(j => j.Id).ToListAsync(cancellationToken);

        var requeued = new List<RequeueResponse>();
        var refused = new List<RequeueRefusal>();
        foreach (var id in targets)
        {
            var (done, refusal) = await RequeueOneAsync(db, store, user, clock, log, id, cancellationToken);
            if (done is not null) requeued.Add(done);
            else refused.Add(refusal!);
        }
        return TypedResults.Ok(new RequeueManyResponse(requeued, refused));
    }

    private static async Task<(RequeueResponse?, RequeueRefusal?)> RequeueOneAsync(DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, ILogger log, Guid id, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null) return (null, new RequeueRefusal(id, "not_found", $"No job with id {id}."));
        switch (await store.EnqueueAsync(job.DocumentId, job.OwnerId, [DocumentStatus.Failed], id, cancellationToken))
        {
            case EnqueueOutcome.Enqueued enqueued:
                await AuditTrail.AppendAsync(db, AuditTrail.Entry(job.DocumentId, user, AuditActions.Requeue, clock.GetUtcNow(),
                    new { job_id = enqueued.JobId, requeued_from = id }), CancellationToken.None);
                log.LogInformation("Dead letter {JobId} of document {DocumentId} requeued as job {NewJobId}", id, job.DocumentId, enqueued.JobId);
                return (new RequeueResponse(enqueued.JobId, job.DocumentId, id), null);
            case EnqueueOutcome.NotRetryable notRetryable:
                return (null, new RequeueRefusal(id, "not_retryable", notRetryable.Reason));
            case EnqueueOutcome.WrongStatus wrong:
                return (null, new RequeueRefusal(id, "invalid_transition", $"The document is {Wire.Name(wrong.Status)}, not failed."));
            default:
                return (null, new RequeueRefusal(id, "not_found", $"No job with id {id}."));
        }
    }

    private static async Task<IResult> Stats(DocketDbContext db, TimeProvider clock, QueueGauges gauges, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var jobs = await db.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var documents = await db.Documents.GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var oldest = await db.Jobs.Where(j => j.State == JobState.Queued && j.ScheduledAt <= now)
            .OrderBy(j => j.ScheduledAt).Select(j => (DateTimeOffset?)j.ScheduledAt).FirstOrDefaultAsync(cancellationToken);

        // Counted in the database over the (state, finalized_at) index; never loads the jobs themselves.
        DateTimeOffset m1 = now.AddMinutes(-1), m5 = now.AddMinutes(-5), m15 = now.AddMinutes(-15);
        var finished = await db.Jobs.Where(j => (j.State == JobState.Succeeded || j.State == JobState.Failed) && j.FinalizedAt >= m15)
            .GroupBy(j => j.State)
            .Select(g => new { g.Key, M1 = g.Count(j => j.FinalizedAt >= m1), M5 = g.Count(j => j.FinalizedAt >= m5), M15 = g.Count() })
            .ToListAsync(cancellationToken);
        Throughput Finished(JobState state) =>
            finished.FirstOrDefault(f => f.Key == state) is { } row ? new Throughput(row.M1, row.M5, row.M15) : new Throughput(0, 0, 0);

        var byState = Enum.GetValues<JobState>().ToDictionary(Wire.Name, s => jobs.FirstOrDefault(j => j.Key == s)?.Count ?? 0);
        return TypedResults.Ok(new StatsView(
            byState,
            Enum.GetValues<DocumentStatus>().ToDictionary(Wire.Name, s => documents.FirstOrDefault(d => d.Key == s)?.Count ?? 0),
            byState[Wire.Name(JobState.Queued)],
            oldest is { } at ? (now - at).TotalSeconds : null,
            Finished(JobState.Succeeded),
            Finished(JobState.Failed),
            await WorkerViewsAsync(db, now, gauges.WorkerStaleAfter, cancellationToken),
            await DeadLetters(db).CountAsync(cancellationToken)));
    }

    private static async Task<IResult> Workers(DocketDbContext db, TimeProvider clock, QueueGauges gauges, CancellationToken cancellationToken) =>
        TypedResults.Ok(await WorkerViewsAsync(db, clock.GetUtcNow(), gauges.WorkerStaleAfter, cancellationToken));

    /// <summary>
    /// Workers from their heartbeats, with the jobs each runs now. A running job whose worker has no
    /// heartbeat row (an older worker, or one that never wrote one) still shows, under its worker id.
    /// </summary>
    private static async Task<IReadOnlyList<WorkerView>> WorkerViewsAsync(DocketDbContext db, DateTimeOffset now, TimeSpan staleAfter,
        CancellationToken cancellationToken)
    {
        var heartbeats = await db.Workers.ToListAsync(cancellationToken);
        var running = await db.Jobs.Where(j => j.State == JobState.Running && j.AttemptedBy != null)
            .Select(j => new { j.Id, j.DocumentId, j.Stage, j.Progress, j.Attempt, j.LeaseExpiresAt, Worker = j.AttemptedBy! })
            .ToListAsync(cancellationToken);
        var jobsByWorker = running.GroupBy(j => j.Worker).ToDictionary(g => g.Key,
            g => g.OrderBy(j => j.Id).Select(j => new RunningJobView(j.Id, j.DocumentId, j.Stage, j.Progress, j.Attempt, j.LeaseExpiresAt)).ToList());
        var views = heartbeats.Select(w =>
        {
            var jobs = jobsByWorker.GetValueOrDefault(w.Id) ?? [];
            return new WorkerView(w.Id, jobs.Count, jobs.Max(j => j.LeaseExpiresAt), w.Host, w.ProcessId, w.Slots, w.StartedAt, w.LastSeenAt,
                now - w.LastSeenAt <= staleAfter, jobs);
        }).ToList();
        foreach (var (worker, jobs) in jobsByWorker.Where(pair => heartbeats.All(w => w.Id != pair.Key)))
            views.Add(new WorkerView(worker, jobs.Count, jobs.Max(j => j.LeaseExpiresAt), null, null, null, null, null,
                jobs.Any(j => j.LeaseExpiresAt > now), jobs));
        return views.OrderByDescending(v => v.Alive).ThenBy(v => v.WorkerId, StringComparer.Ordinal).ToList();
    }

    private static PipelineView Pipeline(PipelineRunner pipeline) =>
        new(pipeline.Stages.Select(s => new StageView(s.Name, s.Phase.ToString())).ToList());

    private static Task<IResult> ReprocessFromStage(HttpContext http, Guid id, StageReprocessRequest? request, DocketDbContext db,
        IJobStore store, PipelineRunner pipeline, CurrentUser user, TimeProvider clock, IdempotencyKeys idempotency,
        ILogger<StageReprocessRequest> log, CancellationToken cancellationToken) =>
        idempotency.RunAsync(http, user, $"POST /api/v1/admin/documents/{id}/reprocess {request?.FromStage}",
            () => ReprocessFromStageOnceAsync(http, id, request, db, store, pipeline, user, clock, log, cancellationToken), cancellationToken);

    private static async Task<IResult> ReprocessFromStageOnceAsync(HttpContext http, Guid id, StageReprocessRequest? request, DocketDbContext db,
        IJobStore store, PipelineRunner pipeline, CurrentUser user, TimeProvider clock, ILogger log, CancellationToken cancellationToken)
    {
        var stages = pipeline.Stages.Select(s => s.Name).ToList();
        if (request?.FromStage is not { Length: > 0 } stage || !stages.Contains(stage))
            return ApiErrors.BadRequest(http, "invalid_stage", $"\"from_stage\" is one of {string.Join(", ", stages)}.", new { stages });
        var document = await db.Documents.Where(d => d.Id == id)
            .Select(d => new { d.OwnerId, d.Status, Stages = d.CurrentResult == null ? null : d.CurrentResult.Stages })
            .FirstOrDefaultAsync(cancellationToken);
        if (document is null) return ApiErrors.NotFound(http, "document", id);

        var reused = stages.TakeWhile(s => s != stage).ToList();
        if (reused.Count > 0 && StoredStages(document.Stages) is var stored && reused.FirstOrDefault(s => !stored.Contains(s)) is { } missing)
            return ApiErrors.Conflict(http, "stage_outputs_missing",
                $"The outputs of the {missing} stage were not kept for this document's current result, so processing cannot start at {stage}; "
                + $"reprocess from {stages[0]}.", new { missing_stage = missing, kept_stages = stored });

        var sources = new[] { DocumentStatus.Processed, DocumentStatus.Rejected, DocumentStatus.Failed };
        switch (await store.EnqueueAsync(id, document.OwnerId, sources, null, cancellationToken, reused.Count > 0 ? stage : null))
        {
            case EnqueueOutcome.Enqueued enqueued:
                await AuditTrail.AppendAsync(db, AuditTrail.Entry(id, user, AuditActions.Reprocess, clock.GetUtcNow(),
                    new { job_id = enqueued.JobId, from_stage = stage }), CancellationToken.None);
                log.LogInformation("Document {DocumentId} queued for reprocessing from {Stage} as job {JobId}", id, stage, enqueued.JobId);
                return TypedResults.Accepted($"/api/v1/jobs/{enqueued.JobId}", new StageReprocessResponse(id, enqueued.JobId, stage, reused));
            case EnqueueOutcome.WrongStatus wrong:
                return ApiErrors.Conflict(http, "invalid_transition",
                    $"A {Wire.Name(wrong.Status)} document cannot be reprocessed; only processed, rejected or failed ones can.");
            default:
                return ApiErrors.NotFound(http, "document", id);
        }
    }

    private static IReadOnlyList<string> StoredStages(string? json) =>
        json is null ? [] : System.Text.Json.Nodes.JsonNode.Parse(json) is System.Text.Json.Nodes.JsonObject root ? root.Select(p => p.Key).ToList() : [];
}
