using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Docket.Server.Features.Accounts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Docket.Server.Api;

/// <summary>Section "RateLimits": requests per minute, counted in fixed one-minute windows.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Every request from one client address.</summary>
    [Range(1, int.MaxValue)]
    public int PerIpPerMinute { get; set; } = 1200;

    /// <summary>Every request of one signed-in user, from wherever.</summary>
    [Range(1, int.MaxValue)]
    public int PerUserPerMinute { get; set; } = 600;

    /// <summary>Sign-in and registration attempts from one address: the guessing that lockout alone would not stop across accounts.</summary>
    [Range(1, int.MaxValue)]
    public int SignInPerIpPerMinute { get; set; } = 10;

    /// <summary>Upload requests of one user (each may carry many files).</summary>
    [Range(1, int.MaxValue)]
    public int UploadsPerUserPerMinute { get; set; } = 60;
}

/// <summary>
/// ASP.NET Core's rate limiter: every request counts against its address and, when signed in,
/// its user; sign-in, registration and upload have stricter limits of their own. A refused request
/// gets 429 with Retry-After, in the error envelope. Counters are per process: behind a load
/// balancer with N nodes a client gets up to N times the limit.
/// </summary>
public static class RateLimits
{
    public const string SignInPolicy = "sign-in";
    public const string UploadPolicy = "upload";
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddDocketRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => Fixed("ip:" + ClientAddress(http), limits.PerIpPerMinute)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => CurrentUser.From(http.User) is { } user
                    ? Fixed("user:" + user.Id, limits.PerUserPerMinute)
                    : RateLimitPartition.GetNoLimiter("anonymous")));
            limiter.AddPolicy(SignInPolicy, http => Fixed("sign-in:" + ClientAddress(http), limits.SignInPerIpPerMinute));
            limiter.AddPolicy(UploadPolicy, http => CurrentUser.From(http.User) is { } user
                ? Fixed("upload:" + user.Id, limits.UploadsPerUserPerMinute)
                : Fixed("upload-ip:" + ClientAddress(http), limits.UploadsPerUserPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
                    : (int)Window.TotalSeconds;
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

    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
