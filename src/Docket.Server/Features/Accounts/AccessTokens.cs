using System.Security.Cryptography;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Docket.Server.Features.Accounts;

/// <summary>
/// Issues the short-lived JWT access tokens API clients send as bearer tokens (HS256). The key comes
/// from Auth:SigningKey, or else from the database, where the first node to start puts a random one,
/// so every node of a deployment signs and checks with the same key without configuration.
/// </summary>
public sealed class AccessTokens(IOptions<AuthOptions> options, IServiceScopeFactory scopes, TimeProvider clock)
{
    public const string Issuer = "docket";
    public const string Audience = "docket-api";
    public const string SessionClaim = "sid";
    public const string RoleClaim = "role";
    public const string SubjectClaim = "sub";

    private const string StoredKeyId = "access-tokens";
    private readonly JsonWebTokenHandler _handler = new();
    private SymmetricSecurityKey? _key;

    public TimeSpan Lifetime => options.Value.AccessTokenLifetime;

    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("The signing key is loaded at start-up, before requests are served.");

    public async Task LoadKeyAsync(CancellationToken cancellationToken)
    {
        if (options.Value.SigningKey is { Length: > 0 } configured && AuthOptions.TryDecodeKey(configured, out var bytes))
        {
            _key = new SymmetricSecurityKey(bytes);
            return;
        }
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var stored = await db.SigningKeys.FirstOrDefaultAsync(k => k.Id == StoredKeyId, cancellationToken);
        if (stored is null)
        {
            db.SigningKeys.Add(new SigningKey
            {
                Id = StoredKeyId,
                KeyMaterial = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)),
                CreatedAt = clock.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException)
            {
                // Another node starting at the same moment stored its key first; everyone uses that one.
            }
            db.ChangeTracker.Clear();
            stored = await db.SigningKeys.FirstAsync(k => k.Id == StoredKeyId, cancellationToken);
        }
        _key = new SymmetricSecurityKey(Convert.FromBase64String(stored.KeyMaterial));
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(User user, Guid sessionId)
    {
        var now = clock.GetUtcNow();
        var expires = now + Lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.UtcDateTime,
            // A node whose clock runs a little behind the issuer's still accepts a fresh token.
            NotBefore = now.UtcDateTime.AddMinutes(-1),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [SubjectClaim] = user.Id.ToString(),
                [RoleClaim] = user.Role,
                [SessionClaim] = sessionId.ToString(),
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
        });
        return (token, expires);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKeyResolver = (_, _, _, _) => [Key],
        NameClaimType = SubjectClaim,
        RoleClaimType = RoleClaim,
        RequireExpirationTime = true,
        // Expiry is exact: tokens live 15 minutes, and the not-before above already allows for skew.
        ClockSkew = TimeSpan.Zero,
    };
}
