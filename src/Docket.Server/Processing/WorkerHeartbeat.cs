using Docket.Data.Jobs;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing;

/// <summary>
/// Tells the cluster this worker is alive, how many slots it has and how many are busy: one row in
/// `workers`, written at start, every heartbeat interval, and removed at a clean stop. The operations
/// API and the worker metrics read it; maintenance prunes rows of workers that died without a word.
/// </summary>
public sealed class WorkerHeartbeat(
    IServiceScopeFactory scopes, WorkerActivity activity, TimeProvider clock, IOptions<QueueOptions> options, ILogger<WorkerHeartbeat> log)
    : BackgroundService
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Heartbeat, clock);
        do
        {
            try
            {
                await BeatAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Could not record the heartbeat of worker {WorkerId}; trying again next interval", activity.WorkerId);
            }
        } while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            await db.Workers.Where(w => w.Id == activity.WorkerId).ExecuteDeleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Could not remove worker {WorkerId} from the workers table; maintenance prunes it later", activity.WorkerId);
        }
    }

    private async Task BeatAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var now = clock.GetUtcNow();
        var updated = await db.Workers.Where(w => w.Id == activity.WorkerId).ExecuteUpdateAsync(set => set
            .SetProperty(w => w.LastSeenAt, now)
            .SetProperty(w => w.Slots, activity.Slots)
            .SetProperty(w => w.Busy, activity.Busy), cancellationToken);
        if (updated > 0) return;
        db.Workers.Add(new WorkerRecord
        {
            Id = activity.WorkerId,
            Host = Environment.MachineName,
            ProcessId = Environment.ProcessId,
            Slots = activity.Slots,
            Busy = activity.Busy,
            StartedAt = _startedAt,
            LastSeenAt = now,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
