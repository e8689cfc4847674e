using System.Collections.Concurrent;
using Docket.Data.Events;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Accounts;

/// <summary>
/// A bearer access token is honoured only while the sign-in it was issued for lasts: signing out ends the token at
/// once, on this node and, through the bus, on every other, instead of leaving it valid until it expires. Each node
/// remembers the sessions it heard were ended for as long as a token of theirs could live, and otherwise asks the
/// database whether a session still stands, at most every <see cref="CheckEvery"/> per session: a message the bus
/// lost (a Redis restart) delays the end on that node by that much at most.
/// </summary>
public sealed class EndedSessions(
    IServiceScopeFactory scopes, IEventBus bus, TimeProvider clock, IOptions<AuthOptions> auth, ILogger<EndedSessions> log) : BackgroundService
{
    public const string Channel = "sessions:ended";

    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    /// <summary>Session -> until when a token of it could still be presented.</summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _ended = new();

    /// <summary>Session -> when the database last said it stands.</summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _standing = new();

    public async ValueTask<bool> HasEndedAsync(Guid session, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_ended.TryGetValue(session, out var until) && until > now) return true;
        if (_standing.TryGetValue(session, out var checkedAt) && now - checkedAt < CheckEvery) return false;

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var row = await db.AuthSessions.Where(s => s.Id == session).Select(s => new { s.RevokedAt }).FirstOrDefaultAsync(cancellationToken);
        // No row at all (deleted with its account) is as ended as a revoked one.
        var gone = row is null || row.RevokedAt is not null;
        if (gone) Remember(session, now);
        else _standing[session] = now;
        return gone;
    }

    /// <summary>Ends the session's tokens here now and tells the other nodes.</summary>
    public async Task EndAsync(Guid session, CancellationToken cancellationToken)
    {
        Remember(session, clock.GetUtcNow());
        try
        {
            await bus.PublishAsync(Channel, session.ToByteArray(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The other nodes find it in the database within CheckEvery.
            log.LogWarning(ex, "Telling the other nodes that session {SessionId} ended failed", session);
        }
    }

    private void Remember(Guid session, DateTimeOffset now)
    {
        _standing.TryRemove(session, out _);
        _ended[session] = now + auth.Value.AccessTokenLifetime;
        // Forget what no token can present any more; cheap enough to do on every sign-out.
        foreach (var (id, until) in _ended)
            if (until <= now) _ended.TryRemove(id, out _);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var subscription = bus.Subscribe(Channel))
            {
                try
                {
                    await foreach (var message in subscription.Messages.ReadAllAsync(stoppingToken))
                        if (message.Length == 16) Remember(new Guid(message.Span), clock.GetUtcNow());
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    log.LogWarning(ex, "Listening for ended sessions failed; listening again");
                }
            }
            // Messages may have been missed: every session is asked of the database again.
            _standing.Clear();
            await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
