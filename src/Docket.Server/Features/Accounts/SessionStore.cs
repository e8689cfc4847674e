using System.Security.Cryptography;
using System.Text;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Accounts;

public abstract record RefreshOutcome
{
    public sealed record Rotated(User User, AuthSession Session, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt) : RefreshOutcome;

    /// <summary>Unknown, expired, or its session was signed out.</summary>
    public sealed record Invalid : RefreshOutcome;

    /// <summary>The token was exchanged before: someone else holds it, so its whole family was revoked.</summary>
    public sealed record Reused : RefreshOutcome;
}

public sealed record BrowserSession(AuthSession Session, User User, bool Renewed);

/// <summary>
/// Sign-ins, stored server-side so they can be revoked: browser sessions (the cookie carries a
/// random secret, the table its hash) and API refresh-token families (one session; each refresh
/// token is used once and replaced). Secrets and tokens are only ever stored hashed.
/// </summary>
public sealed class SessionStore(DocketDbContext db, IOptions<AuthOptions> options, TimeProvider clock)
{
    public const string BrowserKind = "browser";
    public const string ApiKind = "api";

    private readonly AuthOptions _options = options.Value;

    public async Task<(AuthSession Session, string RefreshToken, DateTimeOffset ExpiresAt)> StartApiSessionAsync(User user,
        CancellationToken cancellationToken)
    {
        var session = NewSession(user, ApiKind, null);
        var (token, record) = NewRefreshToken(session.Id, session.ExpiresAt);
        db.AuthSessions.Add(session);
        db.RefreshTokens.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (session, token, record.ExpiresAt);
    }

    public async Task<(AuthSession Session, string Secret)> StartBrowserSessionAsync(User user, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        var session = NewSession(user, BrowserKind, Hash(secret));
        db.AuthSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (session, secret);
    }

    /// <summary>
    /// Exchanges a refresh token for a new one (rotation). The old token is marked used in the same
    /// transaction that stores its successor, so exactly one exchange of a token can succeed; any
    /// later one is a replay and revokes the session with every token it ever had.
    /// </summary>
    public async Task<RefreshOutcome> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = Hash(refreshToken);
        var now = clock.GetUtcNow();
        var found = await db.RefreshTokens.Where(t => t.TokenHash == hash)
            .Select(t => new { Token = t, t.Session, t.Session!.User })
            .FirstOrDefaultAsync(cancellationToken);
        if (found?.Session is not { } session || found.User is not { } user) return new RefreshOutcome.Invalid();
        if (found.Token.UsedAt is not null)
        {
            await RevokeAsync(session.Id, "refresh_token_reused", cancellationToken);
            return new RefreshOutcome.Reused();
        }
        if (session.RevokedAt is not null || session.ExpiresAt <= now || found.Token.ExpiresAt <= now) return new RefreshOutcome.Invalid();

        var expires = now + _options.SessionLifetime;
        var (token, record) = NewRefreshToken(session.Id, expires);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var exchanged = await db.RefreshTokens.Where(t => t.TokenHash == hash && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), cancellationToken);
        if (exchanged == 0)
        {
            // Check-then-act: a concurrent refresh with the same token won the race; this one is the replay.
            await transaction.RollbackAsync(cancellationToken);
            await RevokeAsync(session.Id, "refresh_token_reused", cancellationToken);
            return new RefreshOutcome.Reused();
        }
        db.RefreshTokens.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await db.AuthSessions.Where(s => s.Id == session.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ExpiresAt, expires), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        session.ExpiresAt = expires;
        return new RefreshOutcome.Rotated(user, session, token, expires);
    }

    /// <summary>
    /// The live browser session whose cookie carries <paramref name="secret"/>. A session past half
    /// its lifetime is extended (sliding expiry), at most one write per half lifetime.
    /// </summary>
    public async Task<BrowserSession?> FindBrowserSessionAsync(string secret, CancellationToken cancellationToken)
    {
        if (secret.Length is 0 or > 200) return null;
        var hash = Hash(secret);
        var now = clock.GetUtcNow();
        var session = await db.AuthSessions.Include(s => s.User)
            .FirstOrDefaultAsync(s => s.SecretHash == hash && s.Kind == BrowserKind, cancellationToken);
        if (session?.User is null || session.RevokedAt is not null || session.ExpiresAt <= now) return null;
        if (session.ExpiresAt - now > _options.SessionLifetime / 2) return new BrowserSession(session, session.User, false);
        var expires = now + _options.SessionLifetime;
        await db.AuthSessions.Where(s => s.Id == session.Id && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.ExpiresAt, expires), cancellationToken);
        session.ExpiresAt = expires;
        return new BrowserSession(session, session.User, true);
    }

    public Task RevokeAsync(Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.AuthSessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), cancellationToken);
    }

    /// <summary>Signs a user out everywhere (a new password, an admin's action).</summary>
    public Task RevokeAllAsync(Guid userId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        return db.AuthSessions.Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.RevokedAt, now).SetProperty(s => s.RevokedReason, reason), cancellationToken);
    }

    /// <summary>The session a refresh token belongs to, used or not (logout revokes the family either way).</summary>
    public async Task<Guid?> SessionOfRefreshTokenAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var hash = Hash(refreshToken);
        return await db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.SessionId).FirstOrDefaultAsync(cancellationToken);
    }

    public Task<AuthSession?> FindAsync(Guid sessionId, CancellationToken cancellationToken) =>
        db.AuthSessions.FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);

    /// <summary>
    /// The CSRF token of a browser session: derived from the cookie's secret, so it needs no storage,
    /// and a page that cannot read the httpOnly cookie cannot compute it.
    /// </summary>
    public static string CsrfToken(string secret) =>
        Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "docket-csrf"u8));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string NewSecret() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private AuthSession NewSession(User user, string kind, string? secretHash)
    {
        var now = clock.GetUtcNow();
        return new AuthSession
        {
            Id = Guid.CreateVersion7(),
            UserId = user.Id,
            Kind = kind,
            SecretHash = secretHash,
            CreatedAt = now,
            ExpiresAt = now + _options.SessionLifetime,
        };
    }

    private (string Token, RefreshToken Record) NewRefreshToken(Guid sessionId, DateTimeOffset expiresAt)
    {
        var token = NewSecret();
        return (token, new RefreshToken { TokenHash = Hash(token), SessionId = sessionId, CreatedAt = clock.GetUtcNow(), ExpiresAt = expiresAt });
    }
}
