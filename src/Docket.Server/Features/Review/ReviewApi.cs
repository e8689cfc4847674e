using System.Globalization;
using Docket.Core.Documents;
using Docket.Core.Pipeline;
using Docket.Data;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Duplicates;
using Docket.Server.Observability;
using Docket.Server.Processing;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Review;

/// <summary>Body of PUT /documents/{id}/review. The version may come here or in If-Match.</summary>
public sealed record ReviewRequest(Dictionary<string, string?>? Fields, string? Title, string? Category, string? Notes, int? Version);

public sealed record DecisionRequest(string? Reason, int? Version);

public sealed record DecisionResponse(string Outcome, string Message, DocumentDetail Document);

public sealed record ReprocessResponse(Guid DocumentId, Guid JobId, DocumentStatus Status);

public static class ReviewApi
{
    private const int MaxValueLength = 1000;

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder routes)
    {
        var review = routes.MapGroup("/api/v1/review").WithTags("Review");
        review.MapGet("/pending", Pending).Produces<Paged<DocumentSummary>>().Errors(400).WithName("ListPendingReview").WithSummary("Processed documents waiting for a decision, oldest first");
        review.MapPost("/{id:guid}/approve", Approve).Produces<DecisionResponse>().Errors(404, 409).WithName("ApproveDocument").WithSummary("Approve and finalise (read-only afterwards)");
        review.MapPost("/{id:guid}/reject", Reject).Produces<DecisionResponse>().Errors(400, 404, 409).WithName("RejectDocument");
        review.MapPost("/{id:guid}/reprocess", Reprocess).Produces<ReprocessResponse>(202).Errors(404, 409).WithName("ReprocessDocument")
            .WithSummary("Run the pipeline again as a new job; earlier results are kept");

        var documents = routes.MapGroup("/api/v1/documents").WithTags("Review");
        documents.MapPut("/{id:guid}/review", SaveReview).Produces<DocumentDetail>().Errors(400, 404, 409, 428).WithName("SaveReview")
            .WithSummary("Store the reviewer's edits beside the machine output; needs If-Match (or version) and answers 409 when stale");
        documents.MapPost("/{id:guid}/finalize", Approve).Produces<DecisionResponse>().Errors(404, 409).WithName("FinalizeDocument").WithSummary("Same as approve");
        return routes;
    }

    private static async Task<IResult> Pending(HttpContext http, DocketDbContext db, CurrentUser user, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 20, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = db.Documents.Where(d => d.Status == DocumentStatus.Processed && (d.OwnerId == user.Id || user.SeesEverything));
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(d => d.ProcessedAt).ThenBy(d => d.Id).Skip(pageRequest.Skip).Take(pageRequest.Size)
            .Select(d => new DocumentSummary(d.Id, d.Filename, d.FileType, d.SizeBytes, d.Status, d.Title, d.Category,
                d.CurrentJobId, 100, null, d.FailureReason, d.Version, d.CreatedAt, d.UpdatedAt, d.FinalizedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static async Task<IResult> SaveReview(HttpContext http, Guid id, ReviewRequest request, DocketDbContext db, IJobStore store,
        CurrentUser user, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await DocumentsApi.FindAsync(db, user, id, cancellationToken) is not { } document) return ApiErrors.NotFound(http, "document", id);
        if (DocumentStateMachine.IsReadOnly(document.Status))
            return ApiErrors.Conflict(http, "read_only", "The document is finalised and can no longer be edited.");
        if (document.Status != DocumentStatus.Processed)
            return ApiErrors.Conflict(http, "invalid_state",
                $"Only a processed document can be reviewed; this one is {Wire.Name(document.Status)}.");
        if (ExpectedVersion(http, request.Version) is not { } expected)
            return ApiErrors.Create(http, 428, "precondition_required",
                "Send the version you edited, in If-Match (the ETag) or as \"version\", so a concurrent change is not overwritten.");
        if (Validate(request) is { Count: > 0 } problems)
            return ApiErrors.BadRequest(http, "invalid_review", "Some edits are not valid.", problems);

        var edits = new ReviewEdits(request.Fields ?? [], Blank(request.Title), Blank(request.Category), Blank(request.Notes));
        var now = clock.GetUtcNow();
        // An edit may change the issuer, number, date, total or category: the keys that find duplicates change with it.
        var keys = document.CurrentResult is { } result ? DuplicateInvoices.KeysOf(ResultData.Parse(result.Data), edits) : DuplicateKeys.None;
        // The version guard makes the document read above the one edited, so its values are the "before" of the trail.
        var updated = await AuditTrail.UpdateAsync(db, async () =>
            {
                var rows = await db.Documents
                    .Where(d => d.Id == id && d.Version == expected && d.Status == DocumentStatus.Processed)
                    .ExecuteUpdateAsync(set => set
                        .SetProperty(d => d.Review, edits.ToJson())
                        .SetProperty(d => d.ReviewedAt, now)
                        .SetProperty(d => d.ReviewedBy, user.Id)
                        .SetProperty(d => d.UpdatedAt, now)
                        .SetProperty(d => d.Version, d => d.Version + 1), cancellationToken);
                if (rows > 0) await DuplicateInvoices.StoreAsync(db, id, document.OwnerId, keys, cancellationToken);
                return rows;
            },
            () => AuditTrail.ReviewEdits(document, ReviewEdits.Parse(document.Review), edits, user, now), cancellationToken);
        var current = await DocumentsApi.FindAsync(db, user, id, cancellationToken);
        if (current is null) return ApiErrors.NotFound(http, "document", id);
        if (updated == 0)
            return ApiErrors.Conflict(http, "version_conflict",
                $"The document changed since version {expected} (now {current.Version}); reload it and apply your edits again.",
                new { expected_version = expected, current_version = current.Version });
        http.Response.Headers.ETag = DocumentViews.ETag(current.Version);
        return TypedResults.Ok(await DocumentsApi.DetailAsync(current, store, db, cancellationToken));
    }

    private static async Task<IResult> Approve(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, LearningFeed learning, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        if (await DocumentsApi.FindAsync(db, user, id, cancellationToken) is not { } document) return ApiErrors.NotFound(http, "document", id);
        if (document.Status == DocumentStatus.Finalized) return await AlreadyFinalizedAsync(document, store, db, cancellationToken);
        var expected = ExpectedVersion(http, null);
        var sources = DocumentStateMachine.SourcesOf(DocumentStatus.Finalized).ToList();
        var now = clock.GetUtcNow();
        var updated = await AuditTrail.UpdateAsync(db, () => db.Documents
            .Where(d => d.Id == id && sources.Contains(d.Status) && (expected == null || d.Version == expected))
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, DocumentStatus.Finalized)
                .SetProperty(d => d.FinalizedAt, now)
                .SetProperty(d => d.FinalizedBy, user.Id)
                .SetProperty(d => d.UpdatedAt, now)
                .SetProperty(d => d.Version, d => d.Version + 1), cancellationToken),
            () => [AuditTrail.Entry(id, user, AuditActions.Finalize, now)], cancellationToken);
        if (updated > 0)
        {
            await learning.TryCatchUpAsync(cancellationToken);
            await CountReviewedFieldsAsync(db, id, metrics, cancellationToken);
        }
        // Check-then-act: a concurrent approval may have finalised it since the read above; that is the same no-op.
        if (updated == 0 && await DocumentsApi.FindAsync(db, user, id, cancellationToken) is { Status: DocumentStatus.Finalized } finalized)
            return await AlreadyFinalizedAsync(finalized, store, db, cancellationToken);
        return await DecisionAsync(http, db, store, user, id, updated, expected, DocumentStatus.Finalized, "finalized",
            "The document is finalised and read-only; it is included in exports.", cancellationToken);
    }

    /// <summary>Per field of the finalised document: did the reviewer keep the machine's value or correct it?</summary>
    private static async Task CountReviewedFieldsAsync(DocketDbContext db, Guid id, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var row = await db.Documents.Where(d => d.Id == id)
            .Select(d => new { d.Review, Data = d.CurrentResult == null ? null : d.CurrentResult.Data })
            .FirstOrDefaultAsync(cancellationToken);
        if (row?.Data is null) return;
        var machine = ResultData.Parse(row.Data).Fields;
        var edits = ReviewEdits.Parse(row.Review)?.Fields ?? new Dictionary<string, string?>();
        foreach (var field in machine.Keys.Union(edits.Keys).Where(FieldNames.All.Contains))
        {
            var machineValue = machine.GetValueOrDefault(field)?.Value;
            var corrected = edits.TryGetValue(field, out var final) && !string.Equals(final, machineValue, StringComparison.Ordinal);
            metrics.FieldReviewed(field, corrected);
        }
    }

    private static async Task<IResult> AlreadyFinalizedAsync(Document document, IJobStore store, DocketDbContext db,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(new DecisionResponse("already_finalized",
            $"The document was already finalised at {document.FinalizedAt:O}; nothing changed.",
            await DocumentsApi.DetailAsync(document, store, db, cancellationToken)));

    private static async Task<IResult> Reject(HttpContext http, Guid id, DecisionRequest? request, DocketDbContext db, IJobStore store,
        CurrentUser user, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!await DocumentsApi.ExistsAsync(db, user, id, cancellationToken)) return ApiErrors.NotFound(http, "document", id);
        if (request?.Reason is { Length: > MaxValueLength })
            return ApiErrors.BadRequest(http, "invalid_reason", $"The reason is at most {MaxValueLength} characters.");
        var expected = ExpectedVersion(http, request?.Version);
        var sources = DocumentStateMachine.SourcesOf(DocumentStatus.Rejected).ToList();
        var now = clock.GetUtcNow();
        var reason = Blank(request?.Reason) ?? "Rejected by a reviewer";
        var updated = await AuditTrail.UpdateAsync(db, () => db.Documents
            .Where(d => d.Id == id && sources.Contains(d.Status) && (expected == null || d.Version == expected))
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, DocumentStatus.Rejected)
                .SetProperty(d => d.FailureReason, reason)
                .SetProperty(d => d.UpdatedAt, now)
                .SetProperty(d => d.Version, d => d.Version + 1), cancellationToken),
            () => [AuditTrail.Entry(id, user, AuditActions.Reject, now, new { reason })], cancellationToken);
        return await DecisionAsync(http, db, store, user, id, updated, expected, DocumentStatus.Rejected, "rejected",
            "The document is rejected; it can be reprocessed.", cancellationToken);
    }

    private static Task<IResult> Reprocess(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, IdempotencyKeys idempotency, CancellationToken cancellationToken) =>
        idempotency.RunAsync(http, user, $"POST /api/v1/review/{id}/reprocess",
            () => ReprocessOnceAsync(http, id, db, store, user, clock, cancellationToken), cancellationToken);

    private static async Task<IResult> ReprocessOnceAsync(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await DocumentsApi.FindAsync(db, user, id, cancellationToken) is not { } document) return ApiErrors.NotFound(http, "document", id);
        var sources = new[] { DocumentStatus.Processed, DocumentStatus.Rejected, DocumentStatus.Failed };
        var outcome = await store.EnqueueAsync(id, document.OwnerId, sources, null, cancellationToken);
        if (outcome is EnqueueOutcome.Enqueued done)
            await AuditTrail.AppendAsync(db, AuditTrail.Entry(id, user, AuditActions.Reprocess, clock.GetUtcNow(), new { job_id = done.JobId }),
                CancellationToken.None);
        return outcome switch
        {
            EnqueueOutcome.Enqueued enqueued => TypedResults.Accepted($"/api/v1/jobs/{enqueued.JobId}",
                new ReprocessResponse(id, enqueued.JobId, DocumentStatus.Queued)),
            EnqueueOutcome.WrongStatus wrong => ApiErrors.Conflict(http, "invalid_transition",
                $"A {Wire.Name(wrong.Status)} document cannot be reprocessed; only processed, rejected or failed ones can."),
            _ => ApiErrors.NotFound(http, "document", id),
        };
    }

    private static async Task<IResult> DecisionAsync(HttpContext http, DocketDbContext db, IJobStore store, CurrentUser user, Guid id,
        int updated, int? expected, DocumentStatus target, string outcome, string message, CancellationToken cancellationToken)
    {
        var current = await DocumentsApi.FindAsync(db, user, id, cancellationToken);
        if (current is null) return ApiErrors.NotFound(http, "document", id);
        if (updated == 0)
        {
            if (expected is { } version && current.Version != version && DocumentStateMachine.CanMove(current.Status, target))
                return ApiErrors.Conflict(http, "version_conflict",
                    $"The document changed since version {version} (now {current.Version}); reload it first.",
                    new { expected_version = version, current_version = current.Version });
            return ApiErrors.Conflict(http, "invalid_transition",
                $"A {Wire.Name(current.Status)} document cannot become {Wire.Name(target)}.",
                new { status = Wire.Name(current.Status), allowed = DocumentStateMachine.TargetsOf(current.Status).Select(Wire.Name) });
        }
        http.Response.Headers.ETag = DocumentViews.ETag(current.Version);
        return TypedResults.Ok(new DecisionResponse(outcome, message, await DocumentsApi.DetailAsync(current, store, db, cancellationToken)));
    }

    /// <summary>If-Match wins over the body; both accept the bare number or the quoted ETag.</summary>
    private static int? ExpectedVersion(HttpContext http, int? fromBody)
    {
        var header = http.Request.Headers.IfMatch.ToString().Trim();
        if (header.StartsWith("W/", StringComparison.Ordinal)) header = header[2..];
        header = header.Trim('"');
        return int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : fromBody;
    }

    private static Dictionary<string, string> Validate(ReviewRequest request)
    {
        var problems = new Dictionary<string, string>();
        foreach (var (name, value) in request.Fields ?? [])
        {
            if (!FieldNames.All.Contains(name))
            {
                problems[$"fields.{name}"] = $"Unknown field; editable fields are {string.Join(", ", FieldNames.All)}.";
                continue;
            }
            if (value is null) continue;
            var problem = name switch
            {
                _ when value.Length > MaxValueLength => $"At most {MaxValueLength} characters.",
                FieldNames.Date or FieldNames.DueDate when !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                    => "A date as YYYY-MM-DD.",
                FieldNames.Net or FieldNames.Tax or FieldNames.Total when !decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
                    => "An amount like 1234.56 (a point for decimals, no thousands separators).",
                FieldNames.Currency when value.Length != 3 || !value.All(char.IsAsciiLetterUpper)
                    => "A three-letter ISO 4217 code such as EUR.",
                _ => null,
            };
            if (problem is not null) problems[$"fields.{name}"] = problem;
        }
        if (request.Category is { Length: > 0 } category && !Categories.All.Contains(category))
            problems["category"] = $"One of {string.Join(", ", Categories.All)}.";
        if (request.Title is { Length: > MaxValueLength }) problems["title"] = $"At most {MaxValueLength} characters.";
        if (request.Notes is { Length: > 10 * MaxValueLength }) problems["notes"] = $"At most {10 * MaxValueLength} characters.";
        return problems;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
