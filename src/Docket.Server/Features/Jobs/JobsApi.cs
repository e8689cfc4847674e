using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Streams;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Jobs;

public sealed record RetryResponse(Guid JobId, Guid DocumentId, Guid RetryOf, JobState State);

public sealed record CancelResponse(Guid JobId, string Outcome, string Message);

public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/jobs").WithTags("Jobs");
        api.MapGet("/", List).Produces<Paged<JobView>>().Errors(400).WithName("ListJobs").WithSummary("Jobs, newest first; filter by state or document");
        api.MapGet("/{id:guid}", Get).Produces<JobView>().Errors(404).WithName("GetJob");
        api.MapPost("/{id:guid}/retry", Retry).Produces<RetryResponse>(202).Errors(404, 409).WithName("RetryJob").WithSummary("Run a failed or cancelled job again, as a new job");
        api.MapPost("/{id:guid}/cancel", Cancel).Produces<CancelResponse>().Produces<CancelResponse>(202).Errors(404, 409).WithName("CancelJob")
            .WithSummary("Cancel a queued job now, or a running one at its next stage boundary");
        api.MapGet("/{id:guid}/events", Events).Produces<IReadOnlyList<Docket.Data.Events.JobEvent>>().Errors(404).WithName("GetJobEvents").WithSummary("The job's stored progress events");
        api.MapGet("/{id:guid}/stream", Stream).Produces(200, contentType: "text/event-stream").Errors(404).WithName("StreamJobEvents")
            .WithSummary("Server-sent events: the job's state, then live progress; resumes with Last-Event-ID");
        return routes;
    }

    private static async Task<IResult> List(HttpContext http, DocketDbContext db, CurrentUser user, string? state, Guid? document_id,
        int? page, int? page_size, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 50, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = db.Jobs.Where(j => j.OwnerId == user.Id || user.SeesEverything);
        if (state is { Length: > 0 })
        {
            if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
                return ApiErrors.BadRequest(http, "invalid_query", $"Unknown job state '{state}'.",
                    new { state = Enum.GetValues<JobState>().Select(Wire.Name) });
            query = query.Where(j => j.State == parsed);
        }
        if (document_id is { } documentId) query = query.Where(j => j.DocumentId == documentId);
        var total = await query.CountAsync(cancellationToken);
        var jobs = await query.OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id)
            .Skip(pageRequest.Skip).Take(pageRequest.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(pageRequest.Of(jobs.Select(JobView.From).ToList(), total));
    }

    private static Task<Job?> FindAsync(DocketDbContext db, CurrentUser user, Guid id, CancellationToken cancellationToken) =>
        db.Jobs.FirstOrDefaultAsync(j => j.Id == id && (j.OwnerId == user.Id || user.SeesEverything), cancellationToken);

    private static async Task<IResult> Get(HttpContext http, Guid id, DocketDbContext db, CurrentUser user, CancellationToken cancellationToken) =>
        await FindAsync(db, user, id, cancellationToken) is { } job ? TypedResults.Ok(JobView.From(job)) : ApiErrors.NotFound(http, "job", id);

    private static Task<IResult> Retry(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, IdempotencyKeys idempotency, CancellationToken cancellationToken) =>
        idempotency.RunAsync(http, user, $"POST /api/v1/jobs/{id}/retry",
            () => RetryOnceAsync(http, id, db, store, user, clock, cancellationToken), cancellationToken);

    private static async Task<IResult> RetryOnceAsync(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, user, id, cancellationToken) is not { } job) return ApiErrors.NotFound(http, "job", id);
        var outcome = await store.EnqueueAsync(job.DocumentId, job.OwnerId, [DocumentStatus.Failed, DocumentStatus.Cancelled], id, cancellationToken);
        if (outcome is EnqueueOutcome.Enqueued done)
            await AuditTrail.AppendAsync(db, AuditTrail.Entry(job.DocumentId, user, AuditActions.Retry, clock.GetUtcNow(),
                new { job_id = done.JobId, retry_of = id }), CancellationToken.None);
        return outcome switch
        {
            EnqueueOutcome.Enqueued enqueued => TypedResults.Accepted($"/api/v1/jobs/{enqueued.JobId}",
                new RetryResponse(enqueued.JobId, job.DocumentId, id, JobState.Queued)),
            EnqueueOutcome.NotRetryable refused => ApiErrors.Conflict(http, "not_retryable", refused.Reason),
            EnqueueOutcome.WrongStatus wrong => ApiErrors.Conflict(http, "invalid_transition",
                $"The document is {Wire.Name(wrong.Status)}; only a failed or cancelled document can be retried."),
            _ => ApiErrors.NotFound(http, "job", id),
        };
    }

    private static async Task<IResult> Cancel(HttpContext http, Guid id, IJobStore store, CurrentUser user, CancellationToken cancellationToken) =>
        await store.RequestCancelAsync(id, user.SeesEverything ? null : user.Id, cancellationToken) switch
        {
            CancelOutcome.Cancelled => TypedResults.Ok(new CancelResponse(id, "cancelled", "The job was queued and is now cancelled.")),
            CancelOutcome.Requested => TypedResults.Accepted($"/api/v1/jobs/{id}",
                new CancelResponse(id, "cancel_requested", "The job is running; it stops at the next stage boundary.")),
            CancelOutcome.AlreadyFinished finished => ApiErrors.Conflict(http, "invalid_transition",
                $"The job already ended ({Wire.Name(finished.State)}); there is nothing to cancel."),
            _ => ApiErrors.NotFound(http, "job", id),
        };

    private static async Task<IResult> Events(HttpContext http, Guid id, long? after, DocketDbContext db, IJobStore store, CurrentUser user,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, user, id, cancellationToken) is null) return ApiErrors.NotFound(http, "job", id);
        return TypedResults.Ok(await store.EventsAsync(EventScope.Job, id, after ?? 0, 10_000, cancellationToken));
    }

    private static Task Stream(HttpContext http, Guid id, DocketDbContext db, EventStreamer streamer, CurrentUser user,
        CancellationToken cancellationToken) =>
        streamer.StreamAsync(http, EventScope.Job, id, async () =>
            await FindAsync(db, user, id, cancellationToken) is { } job
                ? new StreamStart(JobView.From(job), job.Id, !JobStateMachine.IsTerminal(job.State))
                : null, cancellationToken);
}
