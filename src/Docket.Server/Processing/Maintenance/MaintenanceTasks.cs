using Docket.Core.Jobs;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Data.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing.Maintenance;

/// <summary>Puts jobs whose worker died back in the queue (at-least-once delivery), on Queue:RescueInterval.</summary>
public sealed class LeaseRescue(IJobStore store, IOptions<QueueOptions> queue) : IMaintenanceTask
{
    public string Name => "lease-rescuer";

    public TimeSpan Interval => queue.Value.RescueInterval;

    public async Task<string> RunAsync(CancellationToken cancellationToken) =>
        await store.RescueExpiredAsync(cancellationToken) is var rescued and > 0 ? $"rescued {rescued} jobs whose lease expired" : "";
}

/// <summary>
/// The retention tasks delete in batches of <see cref="Batch"/> rows, each its own short statement, so
/// the embedded database's single writer is never held for long.
/// </summary>
public abstract class RetentionTask(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock) : IMaintenanceTask
{
    protected const int Batch = 1000;

    protected static readonly JobState[] Finished = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    public abstract string Name { get; }

    public TimeSpan Interval => options.Value.RetentionInterval;

    protected MaintenanceOptions Options => options.Value;

    protected DateTimeOffset Now => clock.GetUtcNow();

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var total = 0;
        while (await DeleteBatchAsync(db, scope.ServiceProvider, cancellationToken) is var deleted and > 0)
        {
            total += deleted;
            if (deleted < Batch) break;
        }
        return total > 0 ? Describe(total) : "";
    }

    protected abstract Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken);

    protected abstract string Describe(int deleted);
}

/// <summary>Finished jobs past Maintenance:JobRetention, except each document's latest (its status and dead letter refer to it).</summary>
public sealed class JobRetention(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    public override string Name => "job-retention";

    protected override Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var cutoff = Now - Options.JobRetention;
        // Their events go with them (ON DELETE CASCADE).
        return db.Jobs.Where(j => db.Jobs
                .Where(old => Finished.Contains(old.State) && old.FinalizedAt < cutoff && old.Document!.CurrentJobId != old.Id)
                .OrderBy(old => old.FinalizedAt).Take(Batch).Select(old => old.Id).Contains(j.Id))
            .ExecuteDeleteAsync(cancellationToken);
    }

    protected override string Describe(int deleted) => $"deleted {deleted} finished jobs older than {Options.JobRetention}";
}

/// <summary>Progress events of jobs that finished before Maintenance:EventRetention; the jobs themselves stay.</summary>
public sealed class EventRetention(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    public override string Name => "event-retention";

    protected override async Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var cutoff = Now - Options.EventRetention;
        var end = await EndOfCandidates(db, cutoff).FirstOrDefaultAsync(cancellationToken) ?? long.MaxValue;
        var batch = Candidates(db, cutoff, end).Take(Batch);
        return await db.JobEvents.Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    // A job finished before the cutoff has no event stamped after it, and events are stamped in id order (nearly: a
    // node whose clock runs ahead only postpones some to a later run), so the candidates end where the first event
    // after the cutoff begins. Without that bound a run with nothing to delete walked every event, inside the
    // DELETE's write lock: 1.7 s at 1,800,000 events on SQLite.
    internal static IQueryable<long?> EndOfCandidates(DocketDbContext db, DateTimeOffset cutoff) =>
        db.JobEvents.Where(e => e.CreatedAt >= cutoff).OrderBy(e => e.Id).Select(e => (long?)e.Id);

    internal static IQueryable<long> Candidates(DocketDbContext db, DateTimeOffset cutoff, long end) =>
        db.JobEvents.Where(old => old.Id < end && db.Jobs.Any(j => j.Id == old.JobId && Finished.Contains(j.State) && j.FinalizedAt < cutoff))
            .OrderBy(old => old.Id).Select(old => old.Id);

    protected override string Describe(int deleted) => $"deleted {deleted} progress events of jobs finished over {Options.EventRetention} ago";
}

/// <summary>Exports past Maintenance:ExportRetention: the stored file first, then the record, so no record points at nothing.</summary>
public sealed class ExportRetention(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    public override string Name => "export-retention";

    protected override async Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var cutoff = Now - Options.ExportRetention;
        var files = services.GetRequiredService<IFileStore>();
        var old = await db.Exports.Where(e => e.CreatedAt < cutoff).OrderBy(e => e.CreatedAt).Take(Batch)
            .Select(e => new { e.Id, e.StorageKey }).ToListAsync(cancellationToken);
        foreach (var export in old) await files.DeleteAsync(export.StorageKey, cancellationToken);
        var ids = old.Select(e => e.Id).ToList();
        return await db.Exports.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
    }

    protected override string Describe(int deleted) => $"deleted {deleted} exports older than {Options.ExportRetention}";
}

/// <summary>Workers whose heartbeat stopped over Maintenance:WorkerRetention ago (killed without a clean stop).</summary>
public sealed class WorkerPruning(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    public override string Name => "worker-pruning";

    protected override Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var cutoff = Now - Options.WorkerRetention;
        return db.Workers.Where(w => w.LastSeenAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    protected override string Describe(int deleted) => $"removed {deleted} workers silent for over {Options.WorkerRetention}";
}

/// <summary>
/// Sign-ins that can no longer be used: sessions expired or revoked over a day ago (their refresh tokens go
/// with them) and refresh tokens past their own expiry. The day of grace keeps a just-expired token known, so
/// showing it again is still told apart from a token that never existed.
/// </summary>
public sealed class ExpiredSignIns(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    public override string Name => "expired-sign-ins";

    protected override async Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var cutoff = Now - Grace;
        var tokens = await db.RefreshTokens.Where(t => db.RefreshTokens.Where(old => old.ExpiresAt < cutoff)
                .OrderBy(old => old.ExpiresAt).Take(Batch).Select(old => old.TokenHash).Contains(t.TokenHash))
            .ExecuteDeleteAsync(cancellationToken);
        var sessions = await db.AuthSessions.Where(s => db.AuthSessions.Where(old => old.ExpiresAt < cutoff || old.RevokedAt < cutoff)
                .OrderBy(old => old.ExpiresAt).Take(Batch).Select(old => old.Id).Contains(s.Id))
            .ExecuteDeleteAsync(cancellationToken);
        return tokens + sessions;
    }

    protected override string Describe(int deleted) => $"deleted {deleted} expired or revoked sessions and refresh tokens";
}

/// <summary>Idempotency keys past their expiry: a repeat of the request after that is a new request anyway.</summary>
public sealed class ExpiredIdempotencyKeys(IServiceScopeFactory scopes, IOptions<MaintenanceOptions> options, TimeProvider clock)
    : RetentionTask(scopes, options, clock)
{
    public override string Name => "expired-idempotency-keys";

    protected override Task<int> DeleteBatchAsync(DocketDbContext db, IServiceProvider services, CancellationToken cancellationToken)
    {
        var now = Now;
        return db.IdempotencyKeys.Where(k => k.ExpiresAt < now && k.LockedUntil < now).ExecuteDeleteAsync(cancellationToken);
    }

    protected override string Describe(int deleted) => $"deleted {deleted} expired idempotency keys";
}
