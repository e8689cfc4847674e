using System.Security.Cryptography;
using System.Text;
using Docket.Data.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Api;

/// <summary>Section "Idempotency".</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>How long a key is remembered: a repeat within this time replays the first answer.</summary>
    public TimeSpan KeyLifetime { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// The Idempotency-Key header on requests that create work (upload, retry, reprocess, requeue): the
/// first request with a key runs and its answer is stored; the same key with the same request gets
/// that answer again (with Idempotent-Replayed: true) and nothing runs twice; the same key with a
/// different request is refused with 409. Keys belong to the user who sent them and expire after
/// <see cref="IdempotencyOptions.KeyLifetime"/>. Answers of 500 and up and 429 are not stored, so a request
/// that failed on our side, or was asked to wait, can be sent again with the same key.
/// </summary>
public sealed class IdempotencyKeys(DocketDbContext db, IOptions<IdempotencyOptions> options, TimeProvider clock)
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const int MaxKeyLength = 255;

    /// <summary>A first request that died half-way (its process killed) gives the key up after this long.</summary>
    private static readonly TimeSpan InFlightLease = TimeSpan.FromMinutes(1);

    /// <param name="fingerprint">What makes two requests the same request: method, path and the meaningful content.</param>
    /// <param name="work">The request's work; runs at most once per key.</param>
    public async Task<IResult> RunAsync(HttpContext http, CurrentUser user, string fingerprint, Func<Task<IResult>> work,
        CancellationToken cancellationToken)
    {
        if (!http.Request.Headers.TryGetValue(Header, out var values)) return await work();
        var key = values.ToString();
        if (key.Length is 0 or > MaxKeyLength || values.Count > 1 || key.Any(c => c is < '!' or > '~'))
            return ApiErrors.BadRequest(http, "invalid_idempotency_key",
                $"{Header} is 1 to {MaxKeyLength} visible ASCII characters, sent once (a UUID is a good choice).");

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)));
        var now = clock.GetUtcNow();
        // An expired record, or a first request that never finished, no longer holds the key.
        await db.IdempotencyKeys
            .Where(r => r.UserId == user.Id && r.IdempotencyKey == key && (r.ExpiresAt <= now || (r.StatusCode == null && r.LockedUntil <= now)))
            .ExecuteDeleteAsync(cancellationToken);
        db.IdempotencyKeys.Add(new IdempotencyRecord
        {
            UserId = user.Id,
            IdempotencyKey = key,
            Fingerprint = hash,
            CreatedAt = now,
            LockedUntil = now + InFlightLease,
            ExpiresAt = now + options.Value.KeyLifetime,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The key is taken (the primary key says so, atomically): replay, or refuse.
            db.ChangeTracker.Clear();
            return await ExistingAsync(http, user, key, hash, cancellationToken);
        }
        db.ChangeTracker.Clear();

        StoredResponse answer;
        try
        {
            answer = await StoredResponse.CaptureAsync(http, await work());
        }
        catch
        {
            await ReleaseAsync(user, key);
            throw;
        }
        // "Try again later" must not be replayed to the retry it asks for.
        if (answer.Status is >= 500 or StatusCodes.Status429TooManyRequests)
        {
            await ReleaseAsync(user, key);
            return answer;
        }
        await db.IdempotencyKeys.Where(r => r.UserId == user.Id && r.IdempotencyKey == key)
            .ExecuteUpdateAsync(set => set
                .SetProperty(r => r.StatusCode, answer.Status)
                .SetProperty(r => r.ContentType, answer.ContentType)
                .SetProperty(r => r.Location, answer.Location)
                .SetProperty(r => r.Body, answer.Body), CancellationToken.None);
        return answer;
    }

    private async Task<IResult> ExistingAsync(HttpContext http, CurrentUser user, string key, string hash, CancellationToken cancellationToken)
    {
        var existing = await db.IdempotencyKeys.FirstOrDefaultAsync(r => r.UserId == user.Id && r.IdempotencyKey == key, cancellationToken);
        if (existing is not null && existing.Fingerprint != hash)
            return ApiErrors.Conflict(http, "idempotency_key_reused",
                $"This {Header} was used for a different request; use a new key for a new request.");
        if (existing?.StatusCode is not { } status)
        {
            http.Response.Headers.RetryAfter = "1";
            return ApiErrors.Conflict(http, "idempotency_key_in_use", $"A request with this {Header} is still running; ask again shortly.");
        }
        return new StoredResponse(status, existing.ContentType, existing.Location, existing.Body ?? [], Replayed: true);
    }

    private Task ReleaseAsync(CurrentUser user, string key) =>
        db.IdempotencyKeys.Where(r => r.UserId == user.Id && r.IdempotencyKey == key && r.StatusCode == null)
            .ExecuteDeleteAsync(CancellationToken.None);

    /// <summary>An answer as bytes: captured once from the handler's result, written now and on every replay.</summary>
    private sealed record StoredResponse(int Status, string? ContentType, string? Location, byte[] Body, bool Replayed) : IResult
    {
        public static async Task<StoredResponse> CaptureAsync(HttpContext http, IResult result)
        {
            var original = http.Response.Body;
            using var buffer = new MemoryStream();
            http.Response.Body = buffer;
            try
            {
                await result.ExecuteAsync(http);
            }
            finally
            {
                http.Response.Body = original;
            }
            var location = http.Response.Headers.Location.ToString();
            return new StoredResponse(http.Response.StatusCode, http.Response.ContentType, location.Length == 0 ? null : location,
                buffer.ToArray(), Replayed: false);
        }

        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = Status;
            if (ContentType is not null) http.Response.ContentType = ContentType;
            if (Location is not null) http.Response.Headers.Location = Location;
            if (Replayed) http.Response.Headers[ReplayedHeader] = "true";
            http.Response.ContentLength = Body.Length;
            await http.Response.Body.WriteAsync(Body);
        }
    }
}
