using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Hosting;

/// <summary>
/// Deletes what has expired: idempotency keys past their lifetime, and sign-ins that ended (expired
/// or revoked) more than a week ago, with their refresh tokens. The week keeps a revoked family
/// around long enough that a stolen token shown late is still recognised as reused. Every API node
/// sweeps; the deletes are idempotent, so they need no coordination.
/// </summary>
public sealed class ExpiredRowSweeper(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ExpiredRowSweeper> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepEndedSessions = TimeSpan.FromDays(7);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database that is down now is swept at the next tick.
                log.LogWarning(ex, "Sweeping expired rows failed; trying again in {Interval}.", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var now = clock.GetUtcNow();
        var ended = now - KeepEndedSessions;
        var keys = await db.IdempotencyKeys.Where(r => r.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var sessions = await db.AuthSessions.Where(s => s.ExpiresAt <= ended || s.RevokedAt <= ended).ExecuteDeleteAsync(cancellationToken);
        if (keys + sessions > 0) log.LogInformation("Deleted {Keys} expired idempotency keys and {Sessions} ended sign-ins.", keys, sessions);
    }
}
