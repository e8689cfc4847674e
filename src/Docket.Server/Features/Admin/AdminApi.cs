using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Admin;

public sealed record DeadLetter(Guid JobId, Guid DocumentId, string Filename, int Attempts, string? LastError,
    DateTimeOffset? FailedAt, System.Text.Json.JsonElement Errors);

public sealed record RequeueResponse(Guid JobId, Guid DocumentId, Guid RequeuedFrom);

public sealed record WorkerView(string WorkerId, int RunningJobs, DateTimeOffset? LeaseExpiresAt);

public sealed record Throughput(int LastMinute, int Last5Minutes, int Last15Minutes);

public sealed record StatsView(
    IReadOnlyDictionary<string, int> JobsByState, IReadOnlyDictionary<string, int> DocumentsByStatus, int QueueDepth,
    double? OldestQueuedSeconds, Throughput Succeeded, Throughput Failed, IReadOnlyList<WorkerView> Workers, int DeadLetters);

public static class AdminApi
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Roles.AdminPolicy);
        admin.MapGet("/failed-jobs", FailedJobs).Produces<Paged<DeadLetter>>().Errors(400).WithName("ListDeadLetters")
            .WithSummary("Jobs that failed for good and were not retried since (dead letters); filter by error text");
        admin.MapPost("/failed-jobs/{id:guid}/requeue", Requeue).Produces<RequeueResponse>(202).Errors(404, 409).WithName("RequeueDeadLetter");
        admin.MapGet("/stats", Stats).Produces<StatsView>().WithName("GetStats").WithSummary("Queue depth, throughput and workers");
        return routes;
    }

    /// <summary>A failed job is a dead letter while it is still its document's latest job.</summary>
    private static IQueryable<Job> DeadLetters(DocketDbContext db) =>
        db.Jobs.Where(j => j.State == JobState.Failed && j.Document!.CurrentJobId == j.Id);

    private static async Task<IResult> FailedJobs(HttpContext http, DocketDbContext db, string? error, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 50, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = DeadLetters(db);
        if (error is { Length: > 0 })
        {
            var pattern = TextSearch.ContainsPattern(error);
            query = query.Where(j => j.LastError != null
                && EF.Functions.Like(TextSearch.Fold(j.LastError), TextSearch.Fold(pattern), TextSearch.Escape));
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(j => j.FinalizedAt).ThenBy(j => j.Id).Skip(pageRequest.Skip).Take(pageRequest.Size)
            .Select(j => new { j.Id, j.DocumentId, j.Document!.Filename, j.Attempt, j.LastError, j.FinalizedAt, j.Errors })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new DeadLetter(r.Id, r.DocumentId, r.Filename, r.Attempt, r.LastError, r.FinalizedAt,
            System.Text.Json.JsonDocument.Parse(r.Errors).RootElement.Clone())).ToList();
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static Task<IResult> Requeue(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, IdempotencyKeys idempotency, ILogger<DeadLetter> log, CancellationToken cancellationToken) =>
        idempotency.RunAsync(http, user, $"POST /api/v1/admin/failed-jobs/{id}/requeue",
            () => RequeueOnceAsync(http, id, db, store, user, clock, log, cancellationToken), cancellationToken);

    private static async Task<IResult> RequeueOnceAsync(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, ILogger log, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (job is null) return ApiErrors.NotFound(http, "job", id);
        var outcome = await store.EnqueueAsync(job.DocumentId, job.OwnerId, [DocumentStatus.Failed], id, cancellationToken);
        if (outcome is EnqueueOutcome.Enqueued done)
            await AuditTrail.AppendAsync(db, AuditTrail.Entry(job.DocumentId, user, AuditActions.Requeue, clock.GetUtcNow(),
                new { job_id = done.JobId, requeued_from = id }), CancellationToken.None);
        if (outcome is EnqueueOutcome.Enqueued requeued)
            log.LogInformation("Dead letter {JobId} of document {DocumentId} requeued as job {NewJobId}", id, job.DocumentId, requeued.JobId);
        return outcome switch
        {
            EnqueueOutcome.Enqueued enqueued => TypedResults.Accepted($"/api/v1/jobs/{enqueued.JobId}",
                new RequeueResponse(enqueued.JobId, job.DocumentId, id)),
            EnqueueOutcome.NotRetryable refused => ApiErrors.Conflict(http, "not_retryable", refused.Reason),
            EnqueueOutcome.WrongStatus wrong => ApiErrors.Conflict(http, "invalid_transition",
                $"The document is {Wire.Name(wrong.Status)}, not failed."),
            _ => ApiErrors.NotFound(http, "job", id),
        };
    }

    private static async Task<IResult> Stats(DocketDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var jobs = await db.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var documents = await db.Documents.GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var oldest = await db.Jobs.Where(j => j.State == JobState.Queued && j.ScheduledAt <= now)
            .OrderBy(j => j.ScheduledAt).Select(j => (DateTimeOffset?)j.ScheduledAt).FirstOrDefaultAsync(cancellationToken);
        var workers = await db.Jobs.Where(j => j.State == JobState.Running && j.AttemptedBy != null)
            .GroupBy(j => j.AttemptedBy!).Select(g => new { g.Key, Count = g.Count(), Lease = g.Max(j => j.LeaseExpiresAt) })
            .ToListAsync(cancellationToken);

        async Task<Throughput> Finished(JobState state)
        {
            var since = now.AddMinutes(-15);
            var times = await db.Jobs.Where(j => j.State == state && j.FinalizedAt >= since)
                .Select(j => j.FinalizedAt!.Value).ToListAsync(cancellationToken);
            return new Throughput(times.Count(t => t >= now.AddMinutes(-1)), times.Count(t => t >= now.AddMinutes(-5)), times.Count);
        }

        var byState = Enum.GetValues<JobState>().ToDictionary(Wire.Name, s => jobs.FirstOrDefault(j => j.Key == s)?.Count ?? 0);
        return TypedResults.Ok(new StatsView(
            byState,
            Enum.GetValues<DocumentStatus>().ToDictionary(Wire.Name, s => documents.FirstOrDefault(d => d.Key == s)?.Count ?? 0),
            byState[Wire.Name(JobState.Queued)],
            oldest is { } at ? (now - at).TotalSeconds : null,
            await Finished(JobState.Succeeded),
            await Finished(JobState.Failed),
            workers.Select(w => new WorkerView(w.Key, w.Count, w.Lease)).ToList(),
            await DeadLetters(db).CountAsync(cancellationToken)));
    }
}
