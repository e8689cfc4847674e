using System.Net.Mail;
using Docket.Data.Model;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Accounts;

public abstract record CreateUserOutcome
{
    public sealed record Created(User User) : CreateUserOutcome;

    public sealed record EmailTaken : CreateUserOutcome;

    public sealed record Invalid(IReadOnlyDictionary<string, string> Problems) : CreateUserOutcome;
}

public abstract record SignInOutcome
{
    public sealed record SignedIn(User User) : SignInOutcome;

    /// <summary>Unknown address and wrong password are one answer, so the answer does not tell which addresses exist.</summary>
    public sealed record InvalidCredentials : SignInOutcome;

    public sealed record Locked(DateTimeOffset Until) : SignInOutcome;
}

/// <summary>Accounts and passwords: creation, sign-in with lockout, password changes.</summary>
public sealed class UserAccounts(DocketDbContext db, IPasswordHasher<User> hasher, IOptions<AuthOptions> options, TimeProvider clock)
{
    public const int MinPasswordLength = 10;

    /// <summary>Hashing cost grows with the input; no real password is longer.</summary>
    public const int MaxPasswordLength = 1024;

    private const int MaxDisplayNameLength = 100;

    /// <summary>
    /// Verified against when the address is unknown, so a sign-in takes as long whether or not the
    /// account exists.
    /// </summary>
    private static readonly User Decoy = new() { Email = "", DisplayName = "", Role = Roles.User };

    private static readonly Lazy<string> DecoyHash = new(() =>
        new PasswordHasher<User>().HashPassword(Decoy, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    private readonly AuthOptions _options = options.Value;

    public static string NormaliseEmail(string email) => email.Trim().Normalize().ToLowerInvariant();

    public static Dictionary<string, string> Validate(string? email, string? password, string? displayName, string? role)
    {
        var problems = new Dictionary<string, string>();
        var normalised = email is null ? "" : NormaliseEmail(email);
        if (normalised.Length is 0 or > 254 || normalised.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            || !MailAddress.TryCreate(normalised, out var parsed) || !string.Equals(parsed.Address, normalised, StringComparison.Ordinal))
            problems["email"] = "An email address such as ada@example.com.";
        if (ValidatePassword(password) is { } passwordProblem) problems["password"] = passwordProblem;
        if (ValidateDisplayName(displayName) is { } nameProblem) problems["display_name"] = nameProblem;
        if (role is not null && !Roles.All.Contains(role)) problems["role"] = $"One of {string.Join(", ", Roles.All)}.";
        return problems;
    }

    public static string? ValidateDisplayName(string? displayName) => displayName switch
    {
        { Length: > MaxDisplayNameLength } => $"At most {MaxDisplayNameLength} characters.",
        not null when displayName.Any(char.IsControl) => "No control characters.",
        _ => null,
    };

    public static string? ValidatePassword(string? password) => password switch
    {
        null or { Length: 0 } => "A password is required.",
        { Length: < MinPasswordLength } => $"At least {MinPasswordLength} characters.",
        { Length: > MaxPasswordLength } => $"At most {MaxPasswordLength} characters.",
        _ when string.IsNullOrWhiteSpace(password) => "Not only spaces.",
        _ => null,
    };

    public async Task<CreateUserOutcome> CreateAsync(string? email, string? password, string? displayName, string role,
        CancellationToken cancellationToken)
    {
        if (Validate(email, password, displayName, role) is { Count: > 0 } problems) return new CreateUserOutcome.Invalid(problems);
        var normalised = NormaliseEmail(email!);
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = normalised,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? normalised[..normalised.IndexOf('@')] : displayName.Trim(),
            Role = role,
            CreatedAt = clock.GetUtcNow(),
        };
        user.PasswordHash = hasher.HashPassword(user, password!);
        if (await db.Users.AnyAsync(u => u.Email == normalised, cancellationToken)) return new CreateUserOutcome.EmailTaken();
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            // Check-then-act: the same address may have been registered between the check above and this insert.
            if (await db.Users.AnyAsync(u => u.Email == normalised, CancellationToken.None)) return new CreateUserOutcome.EmailTaken();
            throw;
        }
        db.ChangeTracker.Clear();
        return new CreateUserOutcome.Created(user);
    }

    /// <summary>
    /// Checks a password. <see cref="AuthOptions.MaxFailedLogins"/> wrong ones in a row lock the
    /// account for <see cref="AuthOptions.LockoutDuration"/>; while locked even the right password is
    /// refused, so guessing cannot go on. A success resets the count.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        var normalised = NormaliseEmail(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalised, cancellationToken);
        if (user?.PasswordHash is null)
        {
            hasher.VerifyHashedPassword(Decoy, DecoyHash.Value, password);
            return new SignInOutcome.InvalidCredentials();
        }
        var now = clock.GetUtcNow();
        if (user.LockedUntil is { } lockedUntil && lockedUntil > now) return new SignInOutcome.Locked(lockedUntil);

        var verdict = password.Length > MaxPasswordLength
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            // Counted in the database, not from the row read above, so concurrent guesses all count.
            await db.Users.Where(u => u.Id == user.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.FailedLogins, u => u.FailedLogins + 1), cancellationToken);
            var until = now + _options.LockoutDuration;
            var locked = await db.Users.Where(u => u.Id == user.Id && u.FailedLogins >= _options.MaxFailedLogins)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.FailedLogins, 0).SetProperty(u => u.LockedUntil, until), cancellationToken);
            return locked > 0 ? new SignInOutcome.Locked(until) : new SignInOutcome.InvalidCredentials();
        }

        var rehashed = verdict == PasswordVerificationResult.SuccessRehashNeeded ? hasher.HashPassword(user, password) : user.PasswordHash;
        if (user.FailedLogins != 0 || user.LockedUntil is not null || rehashed != user.PasswordHash)
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.FailedLogins, 0)
                .SetProperty(u => u.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
        return new SignInOutcome.SignedIn(user);
    }

    /// <summary>Sets a new password and lifts a lockout. Returns false when there is no such account.</summary>
    public async Task<bool> SetPasswordAsync(Guid userId, string password, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return false;
        var hash = hasher.HashPassword(user, password);
        return await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.PasswordHash, hash)
            .SetProperty(u => u.FailedLogins, 0)
            .SetProperty(u => u.LockedUntil, (DateTimeOffset?)null), cancellationToken) > 0;
    }

    public Task<User?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        var normalised = NormaliseEmail(email);
        return db.Users.FirstOrDefaultAsync(u => u.Email == normalised, cancellationToken);
    }

    public Task<User?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
}
