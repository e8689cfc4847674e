using System.Text.Json.Serialization;

namespace Docket.Server.Api;

/// <summary>The one error shape of the API: {"error": {"code", "message", "details", "request_id"}}.</summary>
public sealed record ApiErrorEnvelope(ApiErrorBody Error);

public sealed record ApiErrorBody(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Details,
    string? RequestId);

/// <summary>Builds error responses; handlers return these as values rather than throwing.</summary>
public static class ApiErrors
{
    public static IResult Create(HttpContext http, int status, string code, string message, object? details = null) =>
        TypedResults.Json(new ApiErrorEnvelope(new ApiErrorBody(code, message, details, http.TraceIdentifier)),
            ApiJson.Options, "application/json", status);

    public static IResult NotFound(HttpContext http, string what, Guid id) =>
        Create(http, StatusCodes.Status404NotFound, "not_found", $"No {what} with id {id}.");

    public static IResult BadRequest(HttpContext http, string code, string message, object? details = null) =>
        Create(http, StatusCodes.Status400BadRequest, code, message, details);

    public static IResult Conflict(HttpContext http, string code, string message, object? details = null) =>
        Create(http, StatusCodes.Status409Conflict, code, message, details);

    public static async Task WriteAsync(HttpContext http, int status, string code, string message, object? details = null,
        int? retryAfterSeconds = null)
    {
        if (http.Response.HasStarted) return;
        http.Response.Clear();
        // Clear() drops every header, the request id too; the envelope names the id, so the header must as well.
        http.Response.Headers["X-Request-ID"] = http.TraceIdentifier;
        if (status == StatusCodes.Status503ServiceUnavailable) retryAfterSeconds ??= 2;
        if (retryAfterSeconds is { } seconds) http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Create(http, status, code, message, details).ExecuteAsync(http);
    }
}

public static class ApiMetadata
{
    /// <summary>Declares the error envelope for each status in the OpenAPI document.</summary>
    public static RouteHandlerBuilder Errors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<ApiErrorEnvelope>(status);
        return builder;
    }
}
