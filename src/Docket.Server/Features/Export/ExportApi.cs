using Docket.Core.Documents;
using Docket.Data;
using Docket.Data.Model;
using Docket.Data.Storage;
using Docket.Server.Api;
using Docket.Server.Features.Audit;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Duplicates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Docket.Server.Features.Export;

/// <summary>Which finalised documents to export; all of the caller's when empty.</summary>
public sealed record ExportRequest(IReadOnlyList<Guid>? DocumentIds, string? Category, string? Q);

public sealed record ExportView(
    Guid Id, string Format, int DocumentCount, long SizeBytes, DateTimeOffset CreatedAt, ExportRequest Filters, string DownloadUrl)
{
    public static ExportView From(Data.Model.Export export) => new(export.Id, export.Format, export.DocumentCount, export.SizeBytes,
        export.CreatedAt, System.Text.Json.JsonSerializer.Deserialize<ExportRequest>(export.Filters, ApiJson.Options)!,
        $"/api/v1/export/{export.Id}/download");
}

public static class ExportApi
{
    private const int MaxDocumentIds = 10_000;

    public static IEndpointRouteBuilder MapExportApi(this IEndpointRouteBuilder routes)
    {
        var documents = routes.MapGroup("/api/v1/documents").WithTags("Export");
        documents.MapGet("/{id:guid}/export/{format}", ExportOne).Produces(200, contentType: "application/json").Produces(200, contentType: "text/csv").Errors(400, 404, 409).WithName("ExportDocument")
            .WithSummary("One finalised document as json or csv");

        var exports = routes.MapGroup("/api/v1").WithTags("Export");
        exports.MapPost("/export/{format}", CreateExport).Produces<ExportView>(201).Errors(400).WithName("CreateExport")
            .WithSummary("Export finalised documents (filters in the body) as json or csv; stored for download");
        exports.MapGet("/export", ExportNow).Produces(200, contentType: "application/json").Produces(200, contentType: "text/csv").Errors(400).WithName("ExportNow")
            .WithSummary("Export finalised documents (?format=json|csv, category, q) and download at once");
        exports.MapGet("/exports", ListExports).Produces<Paged<ExportView>>().Errors(400).WithName("ListExports").WithSummary("Earlier exports, newest first");
        exports.MapGet("/export/{id:guid}/download", Download).Produces(200, contentType: "application/octet-stream").Errors(404, 410).WithName("DownloadExport");
        return routes;
    }

    private static async Task<IResult> ExportOne(HttpContext http, Guid id, string format, DocketDbContext db, CurrentUser user,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!ExportFormats.IsKnown(format)) return UnknownFormat(http, format);
        var document = await db.Documents.Include(d => d.CurrentResult)
            .FirstOrDefaultAsync(d => d.Id == id && (d.OwnerId == user.Id || user.SeesEverything), cancellationToken);
        if (document is null) return ApiErrors.NotFound(http, "document", id);
        if (document.Status != DocumentStatus.Finalized)
            return ApiErrors.Conflict(http, "not_finalized",
                $"Only finalised documents are exported; this one is {Wire.Name(document.Status)}.");
        var stream = new MemoryStream();
        var duplicates = await DuplicateInvoices.OfAsync(db, id, cancellationToken);
        await ExportFormats.WriteAsync(format, One(ExportRecord.From(document, document.CurrentResult, duplicates)), stream, cancellationToken);
        stream.Position = 0;
        await AuditTrail.AppendAsync(db, AuditTrail.Entry(id, user, AuditActions.Export, clock.GetUtcNow(), new { format }), cancellationToken);
        SetAttachment(http, $"{Path.GetFileNameWithoutExtension(document.Filename)}.{format}");
        return TypedResults.Stream(stream, ExportFormats.MediaType(format));
    }

    private static async Task<IResult> CreateExport(HttpContext http, string format, ExportRequest? request, ExportWriter writer,
        CurrentUser user, CancellationToken cancellationToken)
    {
        if (!ExportFormats.IsKnown(format)) return UnknownFormat(http, format);
        request ??= new ExportRequest(null, null, null);
        if (request.DocumentIds is { Count: > MaxDocumentIds })
            return ApiErrors.BadRequest(http, "too_many_ids", $"At most {MaxDocumentIds} document ids per export.");
        var export = await writer.CreateAsync(user, format, request, cancellationToken);
        return TypedResults.Created(ExportView.From(export).DownloadUrl, ExportView.From(export));
    }

    private static async Task<IResult> ExportNow(HttpContext http, string? format, string? category, string? q, ExportWriter writer,
        IFileStore files, CurrentUser user, CancellationToken cancellationToken)
    {
        format ??= ExportFormats.Json;
        if (!ExportFormats.IsKnown(format)) return UnknownFormat(http, format);
        var export = await writer.CreateAsync(user, format, new ExportRequest(null, category, q), cancellationToken);
        return await FileResultAsync(http, export, files, cancellationToken);
    }

    private static async Task<IResult> ListExports(HttpContext http, DocketDbContext db, CurrentUser user, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 20, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = db.Exports.Where(e => e.OwnerId == user.Id || user.IsAdmin);
        var total = await query.CountAsync(cancellationToken);
        var exports = await query.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Skip(pageRequest.Skip).Take(pageRequest.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(pageRequest.Of(exports.Select(ExportView.From).ToList(), total));
    }

    private static async Task<IResult> Download(HttpContext http, Guid id, DocketDbContext db, IFileStore files, CurrentUser user,
        CancellationToken cancellationToken)
    {
        var export = await db.Exports.FirstOrDefaultAsync(e => e.Id == id && (e.OwnerId == user.Id || user.IsAdmin), cancellationToken);
        return export is null ? ApiErrors.NotFound(http, "export", id) : await FileResultAsync(http, export, files, cancellationToken);
    }

    private static async Task<IResult> FileResultAsync(HttpContext http, Data.Model.Export export, IFileStore files, CancellationToken cancellationToken)
    {
        Stream content;
        try
        {
            content = await files.OpenReadAsync(export.StorageKey, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return ApiErrors.Create(http, 410, "file_missing", $"The file of export {export.Id} is no longer stored.");
        }
        SetAttachment(http, $"docket-export-{export.CreatedAt:yyyyMMdd-HHmmss}.{export.Format}");
        http.Response.Headers["X-Export-Id"] = export.Id.ToString();
        return TypedResults.Stream(content, ExportFormats.MediaType(export.Format));
    }

    private static void SetAttachment(HttpContext http, string fileName)
    {
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        http.Response.Headers.ContentDisposition = disposition.ToString();
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
    }

    private static IResult UnknownFormat(HttpContext http, string format) =>
        ApiErrors.BadRequest(http, "unknown_format", $"Export format '{format}' is not supported; use json or csv.");

    private static async IAsyncEnumerable<ExportRecord> One(ExportRecord record)
    {
        await Task.CompletedTask;
        yield return record;
    }
}

/// <summary>Writes a bulk export to storage and records it, so it can be downloaded again later.</summary>
/// <remarks>An export is its creator's alone (admins see all); a reviewer's export holds everyone's finalised documents.</remarks>
public sealed class ExportWriter(DocketDbContext db, IFileStore files, TimeProvider clock, IOptions<DocketOptions> data)
{
    public async Task<Data.Model.Export> CreateAsync(CurrentUser user, string format, ExportRequest request, CancellationToken cancellationToken)
    {
        var query = db.Documents.Include(d => d.CurrentResult)
            .Where(d => d.Status == DocumentStatus.Finalized && (d.OwnerId == user.Id || user.SeesEverything));
        if (request.DocumentIds is { Count: > 0 } ids) query = query.Where(d => ids.Contains(d.Id));
        if (request.Category is { Length: > 0 } category) query = query.Where(d => d.Category == category);
        if (request.Q is { Length: > 0 } q)
        {
            var pattern = TextSearch.ContainsPattern(q);
            query = query.Where(d => EF.Functions.Like(TextSearch.Fold(d.Filename), TextSearch.Fold(pattern), TextSearch.Escape)
                || (d.Title != null && EF.Functions.Like(TextSearch.Fold(d.Title), TextSearch.Fold(pattern), TextSearch.Escape)));
        }

        var export = new Data.Model.Export
        {
            Id = Guid.CreateVersion7(),
            OwnerId = user.Id,
            Format = format,
            Filters = System.Text.Json.JsonSerializer.Serialize(request, ApiJson.Options),
            StorageKey = "",
            CreatedAt = clock.GetUtcNow(),
        };
        export.StorageKey = StorageKeys.ForExport(export.Id, format);

        var temporary = Path.Combine(data.Value.DataDirectory, "tmp", $"{export.Id:N}.{format}");
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        var exported = new List<Guid>();
        try
        {
            await using (var output = File.Create(temporary))
                await ExportFormats.WriteAsync(format, RecordsAsync(query, exported, cancellationToken), output, cancellationToken);
            export.DocumentCount = exported.Count;
            export.SizeBytes = new FileInfo(temporary).Length;
            await files.ImportAsync(export.StorageKey, temporary, cancellationToken);
        }
        finally
        {
            File.Delete(temporary);
        }
        db.Exports.Add(export);
        db.AuditEvents.AddRange(exported.Select(id =>
            AuditTrail.Entry(id, user, AuditActions.Export, export.CreatedAt, new { format, export_id = export.Id })));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            // Nothing half-stored: a file whose row did not commit is removed again.
            await files.DeleteAsync(export.StorageKey, CancellationToken.None);
            throw;
        }
        return export;
    }

    /// <summary>
    /// The records in finalisation order, read a batch at a time after the last one (keyset, not OFFSET): each batch's
    /// duplicates are one more query, which cannot run beside an open reader on PostgreSQL's connection.
    /// </summary>
    private async IAsyncEnumerable<ExportRecord> RecordsAsync(IQueryable<Document> query, List<Guid> exported,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        (DateTimeOffset At, Guid Id)? after = null;
        while (true)
        {
            var next = query;
            if (after is { At: var at, Id: var id })
                next = next.Where(d => d.FinalizedAt > at || (d.FinalizedAt == at && d.Id.CompareTo(id) > 0));
            var batch = await next.OrderBy(d => d.FinalizedAt).ThenBy(d => d.Id).Take(ExportBatch).ToListAsync(cancellationToken);
            if (batch.Count == 0) yield break;
            var duplicates = await DuplicateInvoices.OfManyAsync(db, batch.Select(d => d.Id).ToList(), cancellationToken);
            foreach (var document in batch)
            {
                exported.Add(document.Id);
                yield return ExportRecord.From(document, document.CurrentResult, duplicates.GetValueOrDefault(document.Id));
            }
            if (batch.Count < ExportBatch) yield break;
            after = (batch[^1].FinalizedAt!.Value, batch[^1].Id);
        }
    }

    private const int ExportBatch = 500;
}
