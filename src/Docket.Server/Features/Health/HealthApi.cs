using Docket.Data.Events;
using Docket.Data.Model;
using Docket.Data.Storage;
using Docket.Server.Api;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Health;

public sealed record HealthCheck(string Name, bool Healthy, string? Error);

public sealed record HealthReport(string Status, string Version, IReadOnlyList<HealthCheck>? Checks = null);

public static class HealthApi
{
    private static readonly string Version =
        typeof(HealthApi).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in new[] { "", "/api/v1" })
        {
            var health = routes.MapGroup(prefix + "/health").WithTags("Health").AllowAnonymous();
            health.MapGet("/", () => TypedResults.Ok(new HealthReport("ok", Version)))
                .WithName(prefix.Length == 0 ? "Health" : "HealthV1").WithSummary("The process is up");
            health.MapGet("/live", () => TypedResults.Ok(new HealthReport("alive", Version)))
                .WithName(prefix.Length == 0 ? "Liveness" : "LivenessV1").WithSummary("Liveness: the process answers");
            health.MapGet("/ready", Ready).Produces<HealthReport>().Errors(503)
                .WithName(prefix.Length == 0 ? "Readiness" : "ReadinessV1").WithSummary("Readiness: database, bus and storage answer");
        }
        return routes;
    }

    private static async Task<IResult> Ready(HttpContext http, DocketDbContext db, IEventBus bus, IFileStore files, CancellationToken cancellationToken)
    {
        HealthCheck[] checks =
        [
            await CheckAsync("database", async () => await db.Database.ExecuteSqlRawAsync("SELECT 1", cancellationToken) >= -1),
            await CheckAsync("bus", async () => await bus.IsHealthyAsync(cancellationToken)),
            await CheckAsync("storage", () => files.IsHealthyAsync(cancellationToken)),
        ];
        return checks.All(c => c.Healthy)
            ? TypedResults.Ok(new HealthReport("ready", Version, checks))
            : ApiErrors.Create(http, 503, "not_ready", "A dependency is unavailable.", checks);
    }

    private static async Task<HealthCheck> CheckAsync(string name, Func<Task<bool>> check)
    {
        try
        {
            return new HealthCheck(name, await check(), null);
        }
        catch (Exception ex)
        {
            return new HealthCheck(name, false, ex.Message);
        }
    }
}
