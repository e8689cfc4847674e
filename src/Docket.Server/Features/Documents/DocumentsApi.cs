using Docket.Core.Documents;
using Docket.Core.Uploads;
using Docket.Data;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Data.Storage;
using Docket.Server.Api;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Duplicates;
using Docket.Server.Features.Streams;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Docket.Server.Features.Documents;

public static class DocumentsApi
{
    private static readonly string[] SortColumns = ["created_at", "updated_at", "filename", "size_bytes", "status", "category", "title"];

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1/documents").WithTags("Documents");

        api.MapPost("/", Upload).Produces<UploadResponse>(201).Errors(400, 413, 415, 429).WithName("UploadDocuments").WithSummary("Upload one or many files (multipart field 'files')")
            .Accepts<IFormFileCollection>("multipart/form-data").DisableAntiforgery().WithMetadata(new RequestLimits.UnlimitedBody());
        api.MapPost("/upload", Upload).Produces<UploadResponse>(201).Errors(400, 413, 415, 429).WithName("UploadDocumentsAlias").WithSummary("Same as POST /documents")
            .Accepts<IFormFileCollection>("multipart/form-data").DisableAntiforgery().WithMetadata(new RequestLimits.UnlimitedBody());
        api.MapGet("/", List).Produces<Paged<DocumentSummary>>().Errors(400).WithName("ListDocuments").WithSummary("Search, filter, sort and page documents");
        api.MapGet("/{id:guid}", Get).Produces<DocumentDetail>().Errors(404).WithName("GetDocument").WithSummary("A document with its current job, result and events");
        api.MapDelete("/{id:guid}", Delete).Produces(204).Errors(403, 404).WithName("DeleteDocument").WithSummary("Delete a document, its jobs, results and file");
        api.MapGet("/{id:guid}/file", Download).Produces(200, contentType: "application/octet-stream").Errors(404, 410).WithName("DownloadDocumentFile").WithSummary("The original file, as an attachment");
        api.MapGet("/{id:guid}/status", Status).Produces<DocumentStatusView>().Errors(404).WithName("GetDocumentStatus").WithSummary("Status and progress only");
        api.MapGet("/{id:guid}/result", Result).Produces<ResultDocument>().Errors(404, 409).WithName("GetDocumentResult")
            .WithSummary("Extracted text, machine output and review edits; ?version=N for an earlier result");
        api.MapGet("/{id:guid}/stream", Stream).Produces(200, contentType: "text/event-stream").Errors(404).WithName("StreamDocumentEvents")
            .WithSummary("Server-sent events: the current state, then live progress; resumes with Last-Event-ID");
        return routes;
    }

    private static async Task<IResult> Upload(
        HttpContext http, UploadReceiver receiver, IFileStore files, IJobStore store, CurrentUser user, IdempotencyKeys idempotency,
        UploadBudget budget, CancellationToken cancellationToken)
    {
        var (received, refusal) = await receiver.ReceiveAsync(http.Request, cancellationToken);
        if (refusal is not null)
            return ApiErrors.Create(http, refusal.Status, refusal.Code, refusal.Message,
                refusal.FileName is null ? null : new { filename = refusal.FileName });

        // The same files under the same names are the same upload, whatever multipart boundary carried them.
        var fingerprint = "upload\n" + string.Join("\n", received.Select(f => $"{f.FileName}\t{f.Sha256}\t{f.SizeBytes}"));
        var stored = false;
        var answer = await idempotency.RunAsync(http, user, fingerprint, async () =>
        {
            if (await budget.TrySpendAsync(user.Id, received.Count, received.Sum(f => f.SizeBytes), cancellationToken) is { } wait)
                return OverBudget(http, RateLimits.Seconds(wait));
            stored = true;
            return await StoreAsync(received, files, store, user, cancellationToken);
        }, cancellationToken);
        // A replayed or refused repeat stores nothing; its files were only ever temporary.
        if (!stored) UploadReceiver.Discard(received);
        return answer;
    }

    /// <summary>A pile larger than the upload budget waits: the client is told when to send the rest, nothing is stored.</summary>
    private static IResult OverBudget(HttpContext http, int seconds)
    {
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiErrors.Create(http, StatusCodes.Status429TooManyRequests, "rate_limited",
            $"You have uploaded more files than the server takes at once; send the rest in {seconds} s.", new { retry_after_seconds = seconds });
    }

    private static async Task<IResult> StoreAsync(List<ReceivedFile> received, IFileStore files, IJobStore store, CurrentUser user,
        CancellationToken cancellationToken)
    {
        var documents = received.Select(file => file.ToDocument(Guid.CreateVersion7(), user.Id)).ToList();
        var imported = new List<string>();
        try
        {
            for (var i = 0; i < received.Count; i++)
            {
                if (received[i].TemporaryPath is null) continue;
                await received[i].ImportAsync(files, documents[i], cancellationToken);
                imported.Add(documents[i].StorageKey);
            }
            var enqueued = await store.AddDocumentsAsync(documents, cancellationToken);

            var response = new UploadResponse(documents.Select((d, i) => new UploadedDocument(d.Id, d.FileName, d.FileType,
                d.SizeBytes, d.Sha256, enqueued[i].Status, enqueued[i].JobId,
                enqueued[i].DuplicateOf, DocumentLinks.For(d.Id))).ToList());
            return TypedResults.Created($"/api/v1/documents/{documents[0].Id}", response);
        }
        catch
        {
            // Nothing half-stored: a file whose rows did not commit is removed again.
            UploadReceiver.Discard(received);
            foreach (var key in imported) await files.DeleteAsync(key, CancellationToken.None);
            throw;
        }
    }

    private static async Task<IResult> List(
        HttpContext http, DocketDbContext db, CurrentUser user, string? q, string? status, string? category,
        string? sort, string? order, int? page, int? page_size, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        DocumentStatus? statusFilter = null;
        if (status is { Length: > 0 })
        {
            if (Wire.TryParseDocumentStatus(status, out var parsed)) statusFilter = parsed;
            else problems["status"] = $"Unknown status '{status}'; one of {string.Join(", ", Enum.GetValues<DocumentStatus>().Select(Wire.Name))}.";
        }
        sort ??= "created_at";
        if (!SortColumns.Contains(sort)) problems["sort"] = $"Sort by one of {string.Join(", ", SortColumns)}.";
        order ??= "desc";
        if (order is not ("asc" or "desc")) problems["order"] = "Order is 'asc' or 'desc'.";
        var pageRequest = PageRequest.Read(page, page_size, 20, problems);
        if (q is { Length: > 200 }) problems["q"] = "The search text is at most 200 characters.";
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);

        // Built per case rather than "owner = @me OR @sees_everything", which no index can serve.
        var query = user.SeesEverything ? db.Documents : db.Documents.Where(d => d.OwnerId == user.Id);
        if (statusFilter is { } s) query = query.Where(d => d.Status == s);
        if (category is { Length: > 0 }) query = query.Where(d => d.Category == category);
        if (q is { Length: > 0 })
        {
            var matching = Matching(user.SeesEverything ? db.Documents : db.Documents.Where(d => d.OwnerId == user.Id), db.Results, q);
            query = query.Where(d => matching.Contains(d.Id));
        }

        var ascending = order == "asc";
        var ordered = sort switch
        {
            "updated_at" => ascending ? query.OrderBy(d => d.UpdatedAt) : query.OrderByDescending(d => d.UpdatedAt),
            "filename" => ascending ? query.OrderBy(d => d.Filename) : query.OrderByDescending(d => d.Filename),
            "size_bytes" => ascending ? query.OrderBy(d => d.SizeBytes) : query.OrderByDescending(d => d.SizeBytes),
            "status" => ascending ? query.OrderBy(d => d.Status) : query.OrderByDescending(d => d.Status),
            "category" => ascending ? query.OrderBy(d => d.Category) : query.OrderByDescending(d => d.Category),
            "title" => ascending ? query.OrderBy(d => d.Title) : query.OrderByDescending(d => d.Title),
            _ => ascending ? query.OrderBy(d => d.CreatedAt) : query.OrderByDescending(d => d.CreatedAt),
        };
        // Id breaks ties so pages never overlap or skip rows.
        ordered = ascending ? ordered.ThenBy(d => d.Id) : ordered.ThenByDescending(d => d.Id);

        if (q is { Length: > 0 })
        {
            // The search is the expensive part: found once, its ordered ids give both the count and this page.
            var (count, pageIds) = await pageRequest.CountAndPageIdsAsync(ordered.Select(d => d.Id), cancellationToken);
            var found = await db.Documents.Where(d => pageIds.Contains(d.Id)).Select(Summary).ToListAsync(cancellationToken);
            var position = pageIds.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
            return TypedResults.Ok(pageRequest.Of(found.OrderBy(d => position[d.Id]).ToList(), count));
        }

        var total = await pageRequest.CountAsync(query, cancellationToken);
        var items = await ordered.Skip(pageRequest.Skip).Take(pageRequest.Size).Select(Summary).ToListAsync(cancellationToken);
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static readonly System.Linq.Expressions.Expression<Func<Document, DocumentSummary>> Summary = d =>
        new DocumentSummary(d.Id, d.Filename, d.FileType, d.SizeBytes, d.Status, d.Title, d.Category,
            d.CurrentJobId, d.CurrentJob == null ? 0 : d.CurrentJob.Progress, d.CurrentJob == null ? null : d.CurrentJob.Stage,
            d.FailureReason, d.Version, d.CreatedAt, d.UpdatedAt, d.FinalizedAt);

    /// <summary>
    /// Ids of the <paramref name="visible"/> documents whose filename, title, review or current result contains
    /// <paramref name="text"/>. A union of one query per table rather than one OR across the join: PostgreSQL
    /// combines the trigram indexes of one table's columns (a BitmapOr), but an OR that spans two tables it can
    /// only answer by reading every row. Each branch keeps the owner filter, so SQLite, which has no such
    /// index, still reads only the user's own rows.
    /// </summary>
    internal static IQueryable<Guid> Matching(IQueryable<Document> visible, IQueryable<ResultVersion> results, string text)
    {
        var pattern = TextSearch.ContainsPattern(text);
        var byDocument = visible
            .Where(d => EF.Functions.Like(TextSearch.Fold(d.Filename), TextSearch.Fold(pattern), TextSearch.Escape)
                || (d.Title != null && EF.Functions.Like(TextSearch.Fold(d.Title), TextSearch.Fold(pattern), TextSearch.Escape))
                || (d.Review != null && EF.Functions.Like(TextSearch.Fold(d.Review), TextSearch.Fold(pattern), TextSearch.Escape)))
            .Select(d => d.Id);
        var byCurrentResult = results
            .Where(r => EF.Functions.Like(TextSearch.Fold(r.Content), TextSearch.Fold(pattern), TextSearch.Escape)
                || EF.Functions.Like(TextSearch.Fold(r.Data), TextSearch.Fold(pattern), TextSearch.Escape))
            .Join(visible, r => r.DocumentId, d => d.Id, (r, d) => new { Result = r, Document = d })
            .Where(pair => pair.Document.CurrentResultId == pair.Result.Id)
            .Select(pair => pair.Document.Id);
        return byDocument.Union(byCurrentResult);
    }

    internal static Task<Document?> FindAsync(DocketDbContext db, CurrentUser user, Guid id, CancellationToken cancellationToken) =>
        db.Documents.Include(d => d.CurrentJob).Include(d => d.CurrentResult)
            .FirstOrDefaultAsync(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything), cancellationToken);

    internal static Task<bool> ExistsAsync(DocketDbContext db, CurrentUser user, Guid id, CancellationToken cancellationToken) =>
        db.Documents.AnyAsync(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything), cancellationToken);

    internal static async Task<DocumentDetail> DetailAsync(Document d, IJobStore store, DocketDbContext db, CancellationToken cancellationToken)
    {
        var events = d.CurrentJobId is { } jobId
            ? await store.EventsAsync(EventScope.Job, jobId, 0, 1000, cancellationToken)
            : [];
        var duplicates = d.CurrentResult is null ? [] : await DuplicateInvoices.OfAsync(db, d.Id, cancellationToken);
        var review = DocumentViews.Review(d);
        return new DocumentDetail(d.Id, d.Filename, d.FileType, d.ContentType, d.SizeBytes, d.Sha256, d.Status, d.Title,
            review?.Edits.Category ?? d.Category, d.FailureReason, d.Version, d.CreatedAt, d.UpdatedAt, d.ProcessedAt, d.FinalizedAt,
            d.CurrentJob is { } job ? JobView.From(job) : null,
            d.CurrentResult is { } result ? DocumentViews.Result(result, review?.Edits, duplicates) : null,
            review, events, DocumentStateMachine.TargetsOf(d.Status), DocumentLinks.For(d.Id));
    }

    private static async Task<IResult> Get(HttpContext http, Guid id, DocketDbContext db, IJobStore store, CurrentUser user,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, user, id, cancellationToken) is not { } document) return ApiErrors.NotFound(http, "document", id);
        http.Response.Headers.ETag = DocumentViews.ETag(document.Version);
        return TypedResults.Ok(await DetailAsync(document, store, db, cancellationToken));
    }

    private static async Task<IResult> Status(HttpContext http, Guid id, DocketDbContext db, CurrentUser user, CancellationToken cancellationToken)
    {
        var status = await db.Documents.Where(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything))
            .Select(d => new DocumentStatusView(d.Id, d.Status, d.CurrentJobId, d.CurrentJob == null ? null : d.CurrentJob.State,
                d.CurrentJob == null ? null : d.CurrentJob.Stage, d.CurrentJob == null ? 0 : d.CurrentJob.Progress,
                d.FailureReason, d.Version, d.UpdatedAt))
            .FirstOrDefaultAsync(cancellationToken);
        return status is null ? ApiErrors.NotFound(http, "document", id) : TypedResults.Ok(status);
    }

    private static async Task<IResult> Result(HttpContext http, Guid id, int? version, DocketDbContext db, CurrentUser user,
        CancellationToken cancellationToken)
    {
        if (await FindAsync(db, user, id, cancellationToken) is not { } document) return ApiErrors.NotFound(http, "document", id);
        var versions = await db.Results.Where(r => r.DocumentId == id).OrderBy(r => r.Version)
            .Select(r => new ResultVersionInfo(r.Id, r.Version, r.JobId, r.CreatedAt)).ToListAsync(cancellationToken);
        var result = version is { } wanted
            ? await db.Results.FirstOrDefaultAsync(r => r.DocumentId == id && r.Version == wanted, cancellationToken)
            : document.CurrentResult;
        if (result is null)
            return version is null
                ? ApiErrors.Conflict(http, "no_result", $"Document {id} has no result yet; its status is {Wire.Name(document.Status)}.")
                : ApiErrors.Create(http, 404, "not_found", $"Document {id} has no result version {version}.");
        var review = DocumentViews.Review(document);
        var duplicates = result.Id == document.CurrentResultId ? await DuplicateInvoices.OfAsync(db, id, cancellationToken) : [];
        http.Response.Headers.ETag = DocumentViews.ETag(document.Version);
        return TypedResults.Ok(new ResultDocument(id, document.Status, document.Version,
            DocumentViews.Result(result, review?.Edits, duplicates), result.Content, review, versions));
    }

    private static async Task<IResult> Download(HttpContext http, Guid id, DocketDbContext db, IFileStore files, CurrentUser user,
        CancellationToken cancellationToken)
    {
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything), cancellationToken);
        if (document is null) return ApiErrors.NotFound(http, "document", id);
        Stream content;
        try
        {
            content = StorageKeys.IsInDatabase(document.StorageKey)
                ? new MemoryStream(await db.DocumentContents.Where(c => c.DocumentId == id).Select(c => c.Content)
                      .FirstOrDefaultAsync(cancellationToken) ?? throw new FileNotFoundException(), writable: false)
                : await files.OpenReadAsync(document.StorageKey, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return ApiErrors.Create(http, 410, "file_missing", $"The stored file of document {id} is missing.");
        }
        // Always an attachment, never rendered: an uploaded file must not become a page on our origin.
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(document.Filename);
        http.Response.Headers.ContentDisposition = disposition.ToString();
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
        var kind = FileKinds.FromWireName(document.FileType);
        var mediaType = kind.IsText() ? "text/plain; charset=utf-8" : kind.MediaType();
        return TypedResults.Stream(content, mediaType, enableRangeProcessing: true);
    }

    private static async Task<IResult> Delete(HttpContext http, Guid id, DocketDbContext db, IFileStore files, CurrentUser user,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var document = await db.Documents.FirstOrDefaultAsync(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything), cancellationToken);
        if (document is null) return ApiErrors.NotFound(http, "document", id);
        if (!user.MayDelete(document.OwnerId))
            return ApiErrors.Create(http, 403, "forbidden", "Reviewers review other people's documents; only the owner or an admin deletes one.");
        // Jobs, events and results go with the row (ON DELETE CASCADE). A worker still running
        // the job finds its lease gone and discards what it made.
        await AuditTrail.UpdateAsync(db, () => db.Documents.Where(d => d.Id == id).ExecuteDeleteAsync(cancellationToken),
            () => [AuditTrail.Entry(id, user, AuditActions.Delete, clock.GetUtcNow(),
                new { filename = document.Filename, owner_id = document.OwnerId, sha256 = document.Sha256 })], cancellationToken);
        // Bytes stored in the database went with the row.
        if (!StorageKeys.IsInDatabase(document.StorageKey)) await files.DeleteAsync(document.StorageKey, CancellationToken.None);
        return TypedResults.NoContent();
    }

    private static async Task Stream(HttpContext http, Guid id, DocketDbContext db, IJobStore store,
        EventStreamer streamer, CurrentUser user, CancellationToken cancellationToken)
    {
        await streamer.StreamAsync(http, EventScope.Document, id, async () =>
        {
            if (await FindAsync(db, user, id, cancellationToken) is not { } document) return null;
            var snapshot = await DetailAsync(document, store, db, cancellationToken);
            return (StreamStart?)new StreamStart(snapshot with { Events = [] }, document.CurrentJobId, DocumentStateMachine.IsActive(document.Status));
        }, cancellationToken);
    }
}
