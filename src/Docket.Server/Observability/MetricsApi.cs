namespace Docket.Server.Observability;

public static class MetricsApi
{
    /// <summary>
    /// GET /metrics in the Prometheus text format. Outside /api/v1 and without the API's envelope,
    /// where scrapers look by convention; like /health it says nothing about any one document.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", Scrape).AllowAnonymous().WithTags("Health").WithName("Metrics")
            .WithSummary("Prometheus metrics: requests, jobs, stages, queue depth, workers, streams, reviews")
            .Produces<string>(200, "text/plain");
        return routes;
    }

    private static async Task<IResult> Scrape(PrometheusMetrics metrics, QueueGauges queue, CancellationToken cancellationToken)
    {
        await queue.RefreshAsync(cancellationToken);
        return TypedResults.Text(metrics.Write(), PrometheusMetrics.ContentType);
    }

    /// <summary>The collector listens from start-up on, so nothing counted before the first scrape is lost.</summary>
    public static IServiceCollection AddDocketMetrics(this IServiceCollection services)
    {
        services.AddSingleton<PrometheusMetrics>();
        services.AddSingleton<QueueGauges>();
        services.AddSingleton<ServerMetrics>();
        services.AddHostedService<StartListening>();
        return services;
    }

    private sealed class StartListening(PrometheusMetrics metrics, ServerMetrics server, Docket.Data.Telemetry.QueueMetrics queue) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Resolving them is the point: the listener exists, and so do the instruments it reads.
            GC.KeepAlive((metrics, server, queue));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
