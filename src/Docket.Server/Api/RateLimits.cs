using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Docket.Server.Features.Accounts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Docket.Server.Api;

/// <summary>
/// Section "RateLimits". Requests and uploaded files are budgeted as token buckets: a client may spend a burst at
/// once (a morning's pile of invoices, a page of thumbnails) and the budget refills at a steady rate, so abuse is
/// slowed to that rate while ordinary bulk work is never refused. Sign-in and registration keep a strict fixed window.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request from one client address: refill per second ...</summary>
    [Range(1, int.MaxValue)]
    public int PerIpPerSecond { get; set; } = 100;

    /// <summary>... and the most it may spend at once.</summary>
    [Range(1, int.MaxValue)]
    public int PerIpBurst { get; set; } = 6000;

    /// <summary>Every request of one signed-in user, from wherever: refill per second ...</summary>
    [Range(1, int.MaxValue)]
    public int PerUserPerSecond { get; set; } = 50;

    /// <summary>... and the most at once.</summary>
    [Range(1, int.MaxValue)]
    public int PerUserBurst { get; set; } = 3000;

    /// <summary>Sign-in and registration attempts from one address: the guessing that lockout alone would not stop across accounts.</summary>
    [Range(1, int.MaxValue)]
    public int SignInPerIpPerMinute { get; set; } = 10;

    /// <summary>Files one user may upload: refill per second ...</summary>
    [Range(1, int.MaxValue)]
    public int UploadFilesPerSecond { get; set; } = 20;

    /// <summary>... and the most at once, whether in one request or in many.</summary>
    [Range(1, int.MaxValue)]
    public int UploadFileBurst { get; set; } = 2000;

    /// <summary>Megabytes one user may upload: refill per second ...</summary>
    [Range(1, int.MaxValue)]
    public int UploadMegabytesPerSecond { get; set; } = 40;

    /// <summary>... and the most at once.</summary>
    [Range(1, 2_000_000)]
    public int UploadMegabyteBurst { get; set; } = 4096;
}

/// <summary>
/// ASP.NET Core's rate limiter: every request counts against its address and, when signed in, its user; sign-in
/// and registration have a strict limit of their own, and uploads spend a budget of files and bytes
/// (<see cref="UploadBudget"/>). A refused request gets 429 with Retry-After, in the error envelope. Counters are per
/// process: behind a load balancer with N nodes a client gets up to N times the limit.
/// </summary>
public static class RateLimits
{
    public const string SignInPolicy = "sign-in";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddDocketRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UploadBudget>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    Bucket("ip:" + ClientAddress(http), limits.PerIpBurst, limits.PerIpPerSecond)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => CurrentUser.From(http.User) is { } user
                    ? Bucket("user:" + user.Id, limits.PerUserBurst, limits.PerUserPerSecond)
                    : RateLimitPartition.GetNoLimiter("anonymous")));
            limiter.AddPolicy(SignInPolicy, http => Fixed("sign-in:" + ClientAddress(http), limits.SignInPerIpPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Seconds(retryAfter) : (int)Window.TotalSeconds;
                await ApiErrors.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"Too many requests; try again in {seconds} s.", new { retry_after_seconds = seconds }, seconds);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Fixed(string key, int permitsPerMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permitsPerMinute,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>A bucket of <paramref name="burst"/> tokens refilled by <paramref name="perSecond"/> every second.</summary>
    internal static RateLimitPartition<TKey> Bucket<TKey>(TKey key, int burst, int perSecond) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>Whole seconds, at least one: Retry-After takes no fractions, and 0 would invite a retry that fails again.</summary>
    internal static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>
/// What one user may upload: files and megabytes, each a token bucket (<see cref="RateLimitOptions"/>). Spent when an
/// upload is stored, not when it is repeated with its Idempotency-Key. A request that needs more than a bucket
/// holds at most (more files than the burst in one request) takes a full bucket: refusing it would refuse it forever.
/// </summary>
public sealed class UploadBudget : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _files;
    private readonly PartitionedRateLimiter<Guid> _megabytes;
    private readonly RateLimitOptions _limits;

    public UploadBudget(IOptions<RateLimitOptions> options)
    {
        _limits = options.Value;
        _files = PartitionedRateLimiter.Create<Guid, Guid>(user => RateLimits.Bucket(user, _limits.UploadFileBurst, _limits.UploadFilesPerSecond));
        _megabytes = PartitionedRateLimiter.Create<Guid, Guid>(user => RateLimits.Bucket(user, _limits.UploadMegabyteBurst, _limits.UploadMegabytesPerSecond));
    }

    /// <summary>Spends the budget for <paramref name="files"/> files of <paramref name="bytes"/> in all; null when it allowed them, else how long to wait.</summary>
    public TimeSpan? TrySpend(Guid user, int files, long bytes)
    {
        using var fileLease = _files.AttemptAcquire(user, Math.Clamp(files, 1, _limits.UploadFileBurst));
        if (!fileLease.IsAcquired) return RetryAfter(fileLease);
        var megabytes = (int)Math.Clamp((bytes + (1 << 20) - 1) >> 20, 0, _limits.UploadMegabyteBurst);
        if (megabytes == 0) return null;
        using var byteLease = _megabytes.AttemptAcquire(user, megabytes);
        return byteLease.IsAcquired ? null : RetryAfter(byteLease);
    }

    private static TimeSpan RetryAfter(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);

    public void Dispose()
    {
        _files.Dispose();
        _megabytes.Dispose();
    }
}
