using Docket.Core.Documents;
using Docket.Data.Model;
using Docket.Server.Features.Documents;
using Docket.Server.Processing;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Duplicates;

/// <summary>
/// Writes the invoice keys of the documents processed before keys existed (those migration 0013 listed in
/// invoice_keys_backfill), so a new invoice is matched against them too. Runs in every process with a worker,
/// from its start until the list is empty; after that it costs one query per start. Several nodes may work on
/// the same rows at once: each write computes the same keys, and the last one wins.
/// </summary>
public sealed class InvoiceKeysBackfill(IServiceScopeFactory scopes, ILogger<InvoiceKeysBackfill> log) : BackgroundService
{
    private const int Batch = 200;

    /// <summary>A document the backfill could not write (a stored result it cannot read) stays listed; retried at the next start.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var filled = await FillAsync(stoppingToken);
            if (filled > 0) log.LogInformation("Wrote the invoice keys of {Count} documents processed before duplicate detection", filled);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            log.LogWarning(ex, "Writing the invoice keys of earlier documents failed; the next start goes on where this one stopped");
        }
    }

    /// <summary>One pass over the listed documents, in id order; returns how many it wrote.</summary>
    public async Task<int> FillAsync(CancellationToken cancellationToken)
    {
        var filled = 0;
        Guid? after = null;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            var listed = db.InvoiceKeysBackfill.AsQueryable();
            if (after is { } last) listed = listed.Where(b => b.DocumentId.CompareTo(last) > 0);
            var ids = await listed.OrderBy(b => b.DocumentId).Select(b => b.DocumentId).Take(Batch).ToListAsync(cancellationToken);
            if (ids.Count == 0) return filled;
            foreach (var id in ids)
                if (await FillOneAsync(db, id, cancellationToken)) filled++;
            after = ids[^1];
        }
    }

    /// <summary>
    /// The document's row is locked first (a write that changes nothing), then read: a review edit or a completion
    /// of the same document waits for this transaction, and then writes its own keys over these.
    /// </summary>
    private async Task<bool> FillOneAsync(DocketDbContext db, Guid id, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await db.Documents.Where(d => d.Id == id).ExecuteUpdateAsync(set => set.SetProperty(d => d.Version, d => d.Version), cancellationToken) == 0)
            return false;
        var document = await db.Documents.Where(d => d.Id == id)
            .Select(d => new { d.OwnerId, d.Review, Data = d.CurrentResult == null ? null : d.CurrentResult.Data })
            .FirstAsync(cancellationToken);
        DuplicateKeys keys;
        try
        {
            keys = document.Data is null ? DuplicateKeys.None : DuplicateInvoices.KeysOf(ResultData.Parse(document.Data), ReviewEdits.Parse(document.Review));
        }
        catch (System.Text.Json.JsonException ex)
        {
            log.LogWarning(ex, "The stored result or review of document {DocumentId} cannot be read; its invoice keys are not written", id);
            return false;
        }
        await DuplicateInvoices.StoreAsync(db, id, document.OwnerId, keys, cancellationToken);
        await db.InvoiceKeysBackfill.Where(b => b.DocumentId == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
