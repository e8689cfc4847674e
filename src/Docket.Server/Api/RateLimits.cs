using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Docket.Server.Features.Accounts;
using Docket.Data;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

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

    /// <summary>With the Redis bus, the budgets' keys start with this: two deployments on one Redis keep theirs apart.</summary>
    [Required, MinLength(1)]
    public string RedisKeyPrefix { get; set; } = "docket:rate:";
}

/// <summary>
/// ASP.NET Core's rate limiter: every request counts against its address and, when signed in, its user; sign-in
/// and registration have a strict limit of their own, and uploads spend a budget of files and bytes
/// (<see cref="UploadBudget"/>). A refused request gets 429 with Retry-After, in the error envelope. With the Redis
/// bus every budget is kept in Redis (<see cref="RateLimitStore"/>), one budget however many API nodes run.
/// </summary>
public static class RateLimits
{
    /// <summary>Endpoint metadata: the endpoint counts against the strict sign-in limit of its client's address.</summary>
    public static readonly SignInLimited SignIn = new();

    public sealed class SignInLimited;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Settings of the fixed-window limits before decision 75: set, they would be ignored without a word, so the start is refused.</summary>
    private static readonly string[] Retired = ["PerIpPerMinute", "PerUserPerMinute", "UploadsPerUserPerMinute"];

    public static IServiceCollection AddDocketRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations()
            .Validate<IConfiguration>((_, configuration) => !Retired.Any(name => configuration.GetSection(RateLimitOptions.Section)[name] is not null),
                "RateLimits:PerIpPerMinute, PerUserPerMinute and UploadsPerUserPerMinute are no longer read: the limits are token buckets now. "
                + "Set RateLimits:PerIpBurst and PerIpPerSecond, PerUserBurst and PerUserPerSecond, UploadFileBurst and UploadFilesPerSecond instead (README).")
            .ValidateOnStart();
        services.AddSingleton<RateLimitStore>();
        services.AddSingleton<UploadBudget>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, RateLimitStore>((limiter, configured, store) =>
        {
            var limits = configured.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                store.Limiter<HttpContext>(http => RateLimitStore.Bucket("ip:" + ClientAddress(http), limits.PerIpBurst, limits.PerIpPerSecond)),
                store.Limiter<HttpContext>(http => CurrentUser.From(http.User) is { } user
                    ? RateLimitStore.Bucket("user:" + user.Id, limits.PerUserBurst, limits.PerUserPerSecond)
                    : null),
                store.Limiter<HttpContext>(http => http.GetEndpoint()?.Metadata.GetMetadata<SignInLimited>() is not null
                    ? RateLimitStore.Fixed("sign-in:" + ClientAddress(http), limits.SignInPerIpPerMinute, Window)
                    : null));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = RetryAfter(context.Lease) is { } wait ? Seconds(wait) : (int)Window.TotalSeconds;
                await ApiErrors.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"Too many requests; try again in {seconds} s.", new { retry_after_seconds = seconds }, seconds);
            };
        });
        return services;
    }

    /// <summary>How long a refused lease says to wait: the runtime's limiters name a TimeSpan, the Redis ones whole seconds.</summary>
    internal static TimeSpan? RetryAfter(RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)) return wait;
        if (lease.TryGetMetadata(RedisRateLimiting.RateLimitMetadataName.RetryAfter, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary>Whole seconds, at least one: Retry-After takes no fractions, and 0 would invite a retry that fails again.</summary>
    internal static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>
/// Where the budgets are counted: in this process, or with the Redis bus in Redis (RedisRateLimiting's scripts), so
/// that N API nodes give a client one budget, not N. When Redis cannot be reached a budget is counted in the process
/// until it can again: an outage of Redis slows nobody down more than one node would, and refuses nothing by itself.
/// </summary>
public sealed class RateLimitStore : IDisposable
{
    private readonly Lazy<IConnectionMultiplexer>? _redis;
    private readonly ILogger<RateLimitStore> _log;
    private readonly string _keyPrefix;
    private long _lastComplaint;

    public RateLimitStore(IOptions<BusOptions> bus, IOptions<RateLimitOptions> limits, ILogger<RateLimitStore> log)
    {
        _log = log;
        _keyPrefix = limits.Value.RedisKeyPrefix;
        if (!bus.Value.UsesRedis) return;
        var redis = Docket.Data.Redis.RedisOptions.Parse(bus.Value.Redis!);
        var configuration = new ConfigurationOptions
        {
            EndPoints = { { redis.Host, redis.Port } },
            Password = redis.Password,
            User = redis.User,
            ConnectTimeout = (int)redis.ConnectTimeout.TotalMilliseconds,
            SyncTimeout = (int)redis.CommandTimeout.TotalMilliseconds,
            AsyncTimeout = (int)redis.CommandTimeout.TotalMilliseconds,
            // Started without Redis, the node counts locally and connects when Redis comes.
            AbortOnConnectFail = false,
        };
        _redis = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(configuration));
    }

    /// <summary>One budget: a bucket of <see cref="Limit"/> tokens refilled by <see cref="PerSecond"/> every second, or, with a <see cref="Window"/>, <see cref="Limit"/> permits per fixed window.</summary>
    public sealed record Budget(string Key, int Limit, int PerSecond, TimeSpan? Window = null);

    public static Budget Bucket(string key, int burst, int perSecond) => new(key, burst, perSecond);

    public static Budget Fixed(string key, int permits, TimeSpan window) => new(key, permits, 0, window);

    /// <summary>
    /// A limiter counting each resource against its budget (none when <paramref name="budgetOf"/> gives null): in Redis when
    /// shared, and when Redis fails in the process instead (the same figures, per node), saying so in the log at most once a minute.
    /// </summary>
    public PartitionedRateLimiter<T> Limiter<T>(Func<T, Budget?> budgetOf)
    {
        var local = PartitionedRateLimiter.Create<T, string>(resource => budgetOf(resource) is { } budget ? Local(budget) : Unlimited);
        if (_redis is not { } redis) return local;
        var shared = PartitionedRateLimiter.Create<T, string>(resource => budgetOf(resource) is { } budget ? Shared(budget with { Key = _keyPrefix + budget.Key }, redis) : Unlimited);
        return new FallingBackLimiter<T>(shared, local, Complain);
    }

    private static readonly RateLimitPartition<string> Unlimited = RateLimitPartition.GetNoLimiter("unlimited");

    private static RateLimitPartition<string> Local(Budget budget) => budget.Window is { } window
        ? RateLimitPartition.GetFixedWindowLimiter(budget.Key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = budget.Limit,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        })
        : RateLimitPartition.GetTokenBucketLimiter(budget.Key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = budget.Limit,
            TokensPerPeriod = budget.PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static RateLimitPartition<string> Shared(Budget budget, Lazy<IConnectionMultiplexer> redis) => budget.Window is { } window
        ? RedisRateLimitPartition.GetFixedWindowRateLimiter(budget.Key, _ => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Value,
            PermitLimit = budget.Limit,
            Window = window,
        })
        : RedisRateLimitPartition.GetTokenBucketRateLimiter(budget.Key, _ => new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis.Value,
            TokenLimit = budget.Limit,
            TokensPerPeriod = budget.PerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        });

    private void Complain(Exception error)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastComplaint);
        if (last != 0 && now - last < 60_000) return;
        if (Interlocked.CompareExchange(ref _lastComplaint, now, last) != last) return;
        _log.LogWarning("Rate limits are counted per node while Redis cannot be reached: {Reason}", error.Message);
    }

    public void Dispose()
    {
        if (_redis is { IsValueCreated: true } redis) redis.Value.Dispose();
    }
}
/// <summary>
/// What one user may upload: files and megabytes, each a token bucket (<see cref="RateLimitOptions"/>), kept where the
/// other budgets are (<see cref="RateLimitStore"/>). Spent when an upload is stored, not when it is repeated with its
/// Idempotency-Key. A request that needs more than a bucket holds (more files than the burst in one request) takes a
/// full bucket: refusing it would refuse it forever. When the megabytes refuse after the files were allowed, those
/// files stay spent; the retry waits for the megabytes anyway.
/// </summary>
public sealed class UploadBudget : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _files;
    private readonly PartitionedRateLimiter<Guid> _megabytes;
    private readonly RateLimitOptions _limits;

    public UploadBudget(IOptions<RateLimitOptions> options, RateLimitStore store)
    {
        _limits = options.Value;
        _files = store.Limiter<Guid>(user => RateLimitStore.Bucket("upload-files:" + user, _limits.UploadFileBurst, _limits.UploadFilesPerSecond));
        _megabytes = store.Limiter<Guid>(user => RateLimitStore.Bucket("upload-megabytes:" + user, _limits.UploadMegabyteBurst, _limits.UploadMegabytesPerSecond));
    }

    /// <summary>
    /// Spends the budget for <paramref name="files"/> files of <paramref name="bytes"/> in all; null when it allowed them,
    /// else how long to wait. Asynchronous because Redis's limiters only count that way (their synchronous attempt
    /// refuses without asking Redis); with no queue, the answer comes at once either way.
    /// </summary>
    public async Task<TimeSpan?> TrySpendAsync(Guid user, int files, long bytes, CancellationToken cancellationToken)
    {
        using var fileLease = await _files.AcquireAsync(user, Math.Clamp(files, 1, _limits.UploadFileBurst), cancellationToken);
        if (!fileLease.IsAcquired) return RateLimits.RetryAfter(fileLease) ?? TimeSpan.FromSeconds(1);
        var megabytes = (int)Math.Clamp((bytes + (1 << 20) - 1) >> 20, 0, _limits.UploadMegabyteBurst);
        if (megabytes == 0) return null;
        using var byteLease = await _megabytes.AcquireAsync(user, megabytes, cancellationToken);
        return byteLease.IsAcquired ? null : RateLimits.RetryAfter(byteLease) ?? TimeSpan.FromSeconds(1);
    }

    public void Dispose()
    {
        _files.Dispose();
        _megabytes.Dispose();
    }
}

/// <summary>Asks the shared limiter; when it throws (Redis unreachable, a timeout), asks the local one. Callers acquire asynchronously.</summary>
internal sealed class FallingBackLimiter<T>(PartitionedRateLimiter<T> shared, PartitionedRateLimiter<T> local, Action<Exception> failed)
    : PartitionedRateLimiter<T>
{
    public override RateLimiterStatistics? GetStatistics(T resource) => local.GetStatistics(resource);

    /// <summary>
    /// Redis's limiters refuse a synchronous attempt without asking Redis; the rate-limiting middleware then asks
    /// again asynchronously, which is when Redis counts. Answering from this node's count here would skip Redis.
    /// </summary>
    protected override RateLimitLease AttemptAcquireCore(T resource, int permitCount)
    {
        try
        {
            return shared.AttemptAcquire(resource, permitCount);
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            failed(error);
            return local.AttemptAcquire(resource, permitCount);
        }
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(T resource, int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await shared.AcquireAsync(resource, permitCount, cancellationToken);
        }
        catch (Exception error) when (error is RedisException or TimeoutException)
        {
            failed(error);
            return await local.AcquireAsync(resource, permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            local.Dispose();
        }
        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await shared.DisposeAsync();
        await local.DisposeAsync();
    }
}
