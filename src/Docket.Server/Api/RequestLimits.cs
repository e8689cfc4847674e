using Microsoft.AspNetCore.Http.Features;

namespace Docket.Server.Api;

/// <summary>
/// Request bodies are small JSON documents everywhere but on upload: Server:MaxRequestBodyBytes
/// (default 1 MB) caps them, and only endpoints marked <see cref="UnlimitedBody"/> lift the cap and
/// enforce per-file limits while streaming instead.
/// </summary>
public static class RequestLimits
{
    public const long DefaultMaxRequestBodyBytes = 1024 * 1024;

    /// <summary>Marks endpoints that lift the body size cap; they enforce their own limits while streaming.</summary>
    public sealed class UnlimitedBody;

    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IConfiguration>()
            .GetValue("Server:MaxRequestBodyBytes", DefaultMaxRequestBodyBytes);
        return app.Use(async (http, next) =>
        {
            var unlimited = http.GetEndpoint()?.Metadata.GetMetadata<UnlimitedBody>() is not null;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                feature.MaxRequestBodySize = unlimited ? null : limit;
            // Refused before a byte of it is read, on any server (the feature above is Kestrel's).
            if (!unlimited && http.Request.ContentLength > limit)
            {
                await ApiErrors.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "payload_too_large",
                    $"The request body is larger than the limit of {limit} bytes.");
                return;
            }
            await next(http);
        });
    }
}
