using Docket.Core.Documents;
using Docket.Data;
using Docket.Data.Model;
using Docket.Server.Features.Documents;
using Docket.Server.Processing;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Duplicates;

/// <summary>Another document of the same owner that holds the same invoice.</summary>
/// <param name="Match">How it was recognised: one of <see cref="DuplicateMatches"/>; the invoice number when both match.</param>
/// <param name="Message">The warning as a reviewer reads it.</param>
public sealed record DuplicateView(Guid DocumentId, string Match, string Filename, DocumentStatus Status, string Message, string Link);

/// <summary>
/// Duplicate invoices (DESIGN.md, Checks). A document's keys are stored when its result is (by the job store, with
/// the completion) and when a reviewer edits it; its duplicates are looked up whenever it is shown or exported, so a
/// warning is never stale: a copy deleted, corrected or uploaded later shows at once, on both documents. Every
/// lookup stays inside one owner's documents, whoever asks.
/// </summary>
public static class DuplicateInvoices
{
    /// <summary>Enough for a reviewer to act on; a document matching more is itself the problem to look at.</summary>
    public const int MaxPerDocument = 20;

    /// <summary>The keys of a result with the reviewer's edits applied, as the review screen and exports show its values.</summary>
    public static DuplicateKeys KeysOf(ResultData data, ReviewEdits? review)
    {
        var fields = data.Fields.ToDictionary(f => f.Key, f => (string?)f.Value.Value);
        foreach (var (name, value) in review?.Fields ?? new Dictionary<string, string?>()) fields[name] = value;
        return DuplicateKeys.For(review?.Category ?? data.Category.Name, fields);
    }

    /// <summary>Replaces the stored keys of a document; call inside the transaction of the change that made them.</summary>
    public static async Task StoreAsync(DocketDbContext db, Guid documentId, Guid ownerId, DuplicateKeys keys,
        CancellationToken cancellationToken)
    {
        await db.InvoiceKeys.Where(k => k.DocumentId == documentId).ExecuteDeleteAsync(cancellationToken);
        if (keys.IsEmpty) return;
        db.InvoiceKeys.Add(new InvoiceKeys { DocumentId = documentId, OwnerId = ownerId, NumberKey = keys.NumberKey, TotalKey = keys.TotalKey });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    public static async Task<IReadOnlyList<DuplicateView>> OfAsync(DocketDbContext db, Guid documentId, CancellationToken cancellationToken) =>
        (await OfManyAsync(db, [documentId], cancellationToken)).GetValueOrDefault(documentId) ?? [];

    /// <summary>
    /// The duplicates of each of <paramref name="documentIds"/> that has any, in one query: per key kind, the documents'
    /// own rows joined to the rows of the same owner with the same key, each an index range of (owner_id, key).
    /// </summary>
    public static async Task<Dictionary<Guid, IReadOnlyList<DuplicateView>>> OfManyAsync(DocketDbContext db,
        IReadOnlyCollection<Guid> documentIds, CancellationToken cancellationToken)
    {
        if (documentIds.Count == 0) return [];
        var found = await Lookup(db, documentIds).ToListAsync(cancellationToken);

        return found.GroupBy(f => f.DocumentId).ToDictionary(g => g.Key, g => (IReadOnlyList<DuplicateView>)g
            .GroupBy(f => f.Other)
            .Select(same => same.OrderByDescending(f => f.ByNumber).First())
            .OrderBy(f => f.CreatedAt).ThenBy(f => f.Other)
            .Take(MaxPerDocument)
            .Select(f => View(f.Other, f.ByNumber, f.Filename, f.Status))
            .ToList());
    }

    internal sealed record Found(Guid DocumentId, Guid Other, bool ByNumber, string Filename, DocumentStatus Status, DateTimeOffset CreatedAt);

    /// <summary>
    /// A union of one join per key, not one join on "number or total", which no single index can serve. Each key is
    /// said to be not null before it is compared: otherwise EF Core compares two nullable columns as C# does (equal
    /// when both are null), an OR that no index serves either.
    /// </summary>
    internal static IQueryable<Found> Lookup(DocketDbContext db, IReadOnlyCollection<Guid> documentIds)
    {
        var mine = db.InvoiceKeys.Where(k => documentIds.Contains(k.DocumentId));
        var byNumber =
            from m in mine
            from o in db.InvoiceKeys
            where m.NumberKey != null && o.NumberKey != null && o.OwnerId == m.OwnerId && o.NumberKey == m.NumberKey
            select new { m.DocumentId, Other = o.DocumentId, ByNumber = true };
        var byTotal =
            from m in mine
            from o in db.InvoiceKeys
            where m.TotalKey != null && o.TotalKey != null && o.OwnerId == m.OwnerId && o.TotalKey == m.TotalKey
            select new { m.DocumentId, Other = o.DocumentId, ByNumber = false };
        return byNumber.Concat(byTotal)
            .Where(p => p.Other != p.DocumentId)
            .Join(db.Documents, p => p.Other, d => d.Id, (p, d) => new Found(p.DocumentId, p.Other, p.ByNumber, d.Filename, d.Status, d.CreatedAt));
    }

    private static DuplicateView View(Guid other, bool byNumber, string filename, DocumentStatus status)
    {
        var same = byNumber ? "the same issuer and invoice number" : "the same issuer, invoice date and total";
        return new DuplicateView(other, byNumber ? DuplicateMatches.InvoiceNumber : DuplicateMatches.IssuerDateTotal, filename, status,
            $"Possibly a duplicate: {filename} ({Wire.Name(status)}) has {same}.", $"/api/v1/documents/{other}");
    }
}
