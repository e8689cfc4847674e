using Microsoft.AspNetCore.Diagnostics;

namespace Docket.Server.Api;

/// <summary>
/// The single mapping from exceptions to the error envelope. Handlers return refusals as values;
/// what reaches here is malformed input the framework rejected, or a bug (500, no stack trace).
/// </summary>
public static class ErrorHandling
{
    private const int MaxRequestIdLength = 128;

    public static IApplicationBuilder UseRequestIds(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        // Honour a caller's X-Request-ID when it is sane, so one id follows a request across systems.
        var incoming = http.Request.Headers["X-Request-ID"].ToString();
        http.TraceIdentifier = IsSafe(incoming) ? incoming : Guid.NewGuid().ToString("N");
        http.Response.Headers["X-Request-ID"] = http.TraceIdentifier;
        // Baggage on the request's activity: log lines name it, and jobs made by this request store it for their worker.
        System.Diagnostics.Activity.Current?.SetBaggage(Docket.Data.Telemetry.DocketTracing.RequestIdBaggage, http.TraceIdentifier);
        await next(http);
    });

    public static IApplicationBuilder UseErrorEnvelope(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A client's malformed request is answered with a 400, not logged as a server error.
            SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
            ExceptionHandler = async http =>
            {
                var error = http.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, code, message) = error switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                        (413, "payload_too_large", "The request body is too large."),
                    BadHttpRequestException bad => (bad.StatusCode, "bad_request", bad.Message),
                    System.Text.Json.JsonException => (400, "invalid_json", "The request body is not valid JSON."),
                    OperationCanceledException when http.RequestAborted.IsCancellationRequested =>
                        (499, "client_closed_request", "The client closed the request."),
                    _ when IsUnavailable(error) =>
                        (503, "service_unavailable", "The database or another dependency is unavailable; try again shortly."),
                    _ => (500, "internal_error", "Something went wrong on our side; the request id identifies it in the logs."),
                };
                await ApiErrors.WriteAsync(http, status, code, message);
            },
        });

        // Unmatched routes and methods get the envelope too, not an empty body.
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType is not null) return;
            var (code, message) = http.Response.StatusCode switch
            {
                404 => ("not_found", $"No route matches {http.Request.Method} {http.Request.Path}."),
                405 => ("method_not_allowed", $"{http.Request.Method} is not allowed on {http.Request.Path}."),
                415 => ("unsupported_media_type", "The request's content type is not supported here."),
                _ => ("http_" + http.Response.StatusCode, "The request could not be served."),
            };
            await ApiErrors.WriteAsync(http, http.Response.StatusCode, code, message);
        });
        return app;
    }

    /// <summary>
    /// A dependency that is down (database restarting, network cut) is not a bug: 503, and the
    /// client may retry. Found anywhere in the chain, because EF and Npgsql wrap the socket error.
    /// </summary>
    private static bool IsUnavailable(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is System.Net.Sockets.SocketException or TimeoutException || e is System.Data.Common.DbException { IsTransient: true })
                return true;
        return false;
    }

    private static bool IsSafe(string id) =>
        id.Length is > 0 and <= MaxRequestIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
