using System.ComponentModel.DataAnnotations;

namespace Docket.Server.Features.Accounts;

/// <summary>Section "Auth". The defaults suit a real deployment; nothing here needs setting for `make run`.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>How long a bearer access token is good for. Short: it cannot be revoked before it expires.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a sign-in lasts without use: a refresh token, or a browser session (which slides while used).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Wrong passwords in a row before the account is locked.</summary>
    [Range(1, 1000)]
    public int MaxFailedLogins { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether anyone may create an account with POST /auth/register (as a "user").</summary>
    public bool AllowRegistration { get; set; } = true;

    /// <summary>
    /// Base64 of at least 32 bytes that signs access tokens. Empty: a key is made at the first start
    /// and kept in the database, so every node of a deployment signs and checks with the same one.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Mark session cookies Secure even on plain HTTP requests (behind a proxy that terminates TLS).</summary>
    public bool SecureCookies { get; set; }

    /// <summary>The first admin, created on the first start when no account exists yet; see <see cref="FirstAdmin"/>.</summary>
    public AdminAccountOptions Admin { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AccessTokenLifetime <= TimeSpan.Zero || AccessTokenLifetime > TimeSpan.FromDays(1))
            yield return new ValidationResult("Auth:AccessTokenLifetime is between 1 second and 1 day.", [nameof(AccessTokenLifetime)]);
        if (SessionLifetime < TimeSpan.FromMinutes(1))
            yield return new ValidationResult("Auth:SessionLifetime is at least one minute.", [nameof(SessionLifetime)]);
        if (LockoutDuration <= TimeSpan.Zero)
            yield return new ValidationResult("Auth:LockoutDuration is positive.", [nameof(LockoutDuration)]);
        if (SigningKey is { Length: > 0 } key && (!TryDecodeKey(key, out var bytes) || bytes.Length < 32))
            yield return new ValidationResult("Auth:SigningKey is base64 of at least 32 random bytes (e.g. `openssl rand -base64 48`).",
                [nameof(SigningKey)]);
        if (Admin.Email is { Length: > 0 } != Admin.Password is { Length: > 0 })
            yield return new ValidationResult("Auth:Admin:Email and Auth:Admin:Password are set together.", [nameof(Admin)]);
    }

    internal static bool TryDecodeKey(string key, out byte[] bytes)
    {
        bytes = new byte[key.Length];
        if (!Convert.TryFromBase64String(key, bytes, out var written)) return false;
        bytes = bytes[..written];
        return true;
    }
}

public sealed class AdminAccountOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string? DisplayName { get; set; }
}
