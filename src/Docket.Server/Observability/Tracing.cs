using Docket.Core.Pipeline;
using Docket.Data.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Docket.Server.Observability;

/// <summary>Section "Telemetry".</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>
    /// Where to send traces over OTLP, e.g. http://collector:4318 (http/protobuf) or http://collector:4317 (grpc).
    /// Empty: OTEL_EXPORTER_OTLP_ENDPOINT if set, else no export.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"http/protobuf" (default) or "grpc".</summary>
    public string OtlpProtocol { get; set; } = "http/protobuf";

    /// <summary>The service.name traces carry.</summary>
    public string ServiceName { get; set; } = "docket";
}

public static class Tracing
{
    /// <summary>The sources of one document's trace: HTTP (ASP.NET Core), enqueue, claim and job (Docket), each stage (Docket.Pipeline).</summary>
    public static readonly string[] Sources = ["Microsoft.AspNetCore", DocketTracing.SourceName, PipelineRunner.ActivitySourceName];

    /// <summary>
    /// Spans are made and exported only when an OTLP endpoint is configured; without one, the sources have
    /// no listener and cost nothing. The job still stores the request's W3C trace context either way.
    /// </summary>
    public static IServiceCollection AddDocketTracing(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var endpoint = options.OtlpEndpoint is { Length: > 0 } configured ? configured : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return services;
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            throw new InvalidOperationException($"Telemetry:OtlpEndpoint '{endpoint}' is not an absolute URL such as http://collector:4318.");
        var grpc = options.OtlpProtocol.Equals("grpc", StringComparison.OrdinalIgnoreCase);

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(tracing => tracing
                .AddSource(Sources)
                .AddOtlpExporter(otlp =>
                {
                    otlp.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    // Set in code, the HTTP endpoint is used as it is: the signal's path must be on it.
                    otlp.Endpoint = grpc || uri.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal)
                        ? uri
                        : new Uri(uri, uri.AbsolutePath.TrimEnd('/') + "/v1/traces");
                }));
        return services;
    }
}
