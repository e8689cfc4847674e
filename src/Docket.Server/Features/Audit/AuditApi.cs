using System.Text.Json;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Audit;

public sealed record AuditActor(Guid Id, string? Email, string? DisplayName);

public sealed record AuditEntryView(
    long Id, Guid DocumentId, string Action, string? Field, string? Before, string? After, JsonElement? Details, AuditActor User,
    DateTimeOffset At);

public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/documents/{id:guid}/audit", ForDocument).WithTags("Audit")
            .Produces<Paged<AuditEntryView>>().Errors(400, 401, 404).WithName("GetDocumentAudit")
            .WithSummary("Who edited, decided, exported, reprocessed or requeued the document, and when (oldest first)");
        routes.MapGet("/api/v1/admin/audit", All).WithTags("Admin").RequireAuthorization(Roles.AdminPolicy)
            .Produces<Paged<AuditEntryView>>().Errors(400, 401, 403).WithName("ListAudit")
            .WithSummary("The whole audit trail, newest first, deleted documents included; filter by document, user or action");
        return routes;
    }

    private static async Task<IResult> ForDocument(HttpContext http, Guid id, DocketDbContext db, CurrentUser user, int? page, int? page_size,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 100, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        if (!await DocumentsApi.ExistsAsync(db, user, id, cancellationToken)) return ApiErrors.NotFound(http, "document", id);
        var query = db.AuditEvents.Where(a => a.DocumentId == id);
        var total = await query.CountAsync(cancellationToken);
        var items = await ViewsAsync(db, query, oldestFirst: true, pageRequest, cancellationToken);
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static async Task<IResult> All(HttpContext http, DocketDbContext db, Guid? document_id, Guid? user_id, string? action,
        int? page, int? page_size, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var pageRequest = PageRequest.Read(page, page_size, 100, problems);
        if (problems.Count > 0) return PageRequest.Invalid(http, problems);
        var query = db.AuditEvents.AsQueryable();
        if (document_id is { } documentId) query = query.Where(a => a.DocumentId == documentId);
        if (user_id is { } userId) query = query.Where(a => a.UserId == userId);
        if (action is { Length: > 0 }) query = query.Where(a => a.Action == action);
        var total = await query.CountAsync(cancellationToken);
        var items = await ViewsAsync(db, query, oldestFirst: false, pageRequest, cancellationToken);
        return TypedResults.Ok(pageRequest.Of(items, total));
    }

    private static async Task<List<AuditEntryView>> ViewsAsync(DocketDbContext db, IQueryable<AuditEvent> entries, bool oldestFirst,
        PageRequest page, CancellationToken cancellationToken)
    {
        var joined = from a in entries
                     join u in db.Users on a.UserId equals u.Id into users
                     from u in users.DefaultIfEmpty()
                     select new { Entry = a, Email = u == null ? null : u.Email, Name = u == null ? null : u.DisplayName };
        joined = oldestFirst ? joined.OrderBy(r => r.Entry.Id) : joined.OrderByDescending(r => r.Entry.Id);
        var rows = await joined.Skip(page.Skip).Take(page.Size).ToListAsync(cancellationToken);
        return rows.Select(r => new AuditEntryView(r.Entry.Id, r.Entry.DocumentId, r.Entry.Action, r.Entry.Field, r.Entry.OldValue,
            r.Entry.NewValue, r.Entry.Details is null ? null : JsonDocument.Parse(r.Entry.Details).RootElement.Clone(),
            new AuditActor(r.Entry.UserId, r.Email, r.Name), r.Entry.CreatedAt)).ToList();
    }
}
