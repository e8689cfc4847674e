using System.Text.Json;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Documents;

namespace Docket.Server.Features.Audit;

public static class AuditActions
{
    public const string ReviewEdit = "review_edit";
    public const string Finalize = "finalize";
    public const string Reject = "reject";
    public const string Reprocess = "reprocess";
    public const string Retry = "retry";
    public const string Requeue = "requeue";
    public const string Export = "export";
    public const string Delete = "delete";
}

/// <summary>
/// Lines of a document's audit trail. Where the change is one database write (an edit, a decision,
/// a delete, an export), its lines commit in the same transaction, so the trail never misses or
/// invents a change.
/// </summary>
public static class AuditTrail
{
    public static AuditEvent Entry(Guid documentId, CurrentUser user, string action, DateTimeOffset at, object? details = null,
        string? field = null, string? before = null, string? after = null) => new()
    {
        DocumentId = documentId,
        UserId = user.Id,
        Action = action,
        Field = field,
        OldValue = before,
        NewValue = after,
        Details = details is null ? null : JsonSerializer.Serialize(details, ApiJson.Options),
        CreatedAt = at,
    };

    /// <summary>
    /// One line per value a person would see change: each field, the title, the category and the
    /// notes, before and after the edit (the machine's value where no edit applied).
    /// </summary>
    public static IEnumerable<AuditEvent> ReviewEdits(Document document, ReviewEdits? previous, ReviewEdits next, CurrentUser user,
        DateTimeOffset at)
    {
        if (document.CurrentResult is not { } result) yield break;
        var before = DocumentViews.Result(result, previous);
        var after = DocumentViews.Result(result, next);
        foreach (var name in before.Fields.Keys.Union(after.Fields.Keys).Order(StringComparer.Ordinal))
        {
            var old = before.Fields.GetValueOrDefault(name)?.Value;
            var @new = after.Fields.GetValueOrDefault(name)?.Value;
            if (old != @new) yield return Entry(document.Id, user, AuditActions.ReviewEdit, at, null, $"fields.{name}", old, @new);
        }
        if (before.Title != after.Title) yield return Entry(document.Id, user, AuditActions.ReviewEdit, at, null, "title", before.Title, after.Title);
        if (before.Category != after.Category)
            yield return Entry(document.Id, user, AuditActions.ReviewEdit, at, null, "category", before.Category, after.Category);
        if (previous?.Notes != next.Notes) yield return Entry(document.Id, user, AuditActions.ReviewEdit, at, null, "notes", previous?.Notes, next.Notes);
    }

    /// <summary>
    /// Runs a guarded update and, when it changed a row, stores the lines of the trail in the same
    /// transaction. Returns the rows updated.
    /// </summary>
    public static async Task<int> UpdateAsync(DocketDbContext db, Func<Task<int>> update, Func<IEnumerable<AuditEvent>> entries,
        CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var updated = await update();
        if (updated > 0)
        {
            db.AuditEvents.AddRange(entries());
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    /// <summary>
    /// For changes the job store commits on its own (reprocess, retry, requeue): the line follows the
    /// change. A crash between the two loses the line, never the change.
    /// </summary>
    public static async Task AppendAsync(DocketDbContext db, AuditEvent entry, CancellationToken cancellationToken)
    {
        db.AuditEvents.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }
}
