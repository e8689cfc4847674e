using System.Diagnostics;

namespace Docket.Data.Telemetry;

/// <summary>The spans of the queue and the pipeline: HTTP -> enqueue -> claim -> job -> each stage.</summary>
public static class DocketTracing
{
    public const string SourceName = "Docket";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The baggage item that carries the X-Request-ID along the request's activities.</summary>
    public const string RequestIdBaggage = "request_id";
}

/// <summary>
/// Where a job came from, stored on the job so its worker can log the request id and continue the
/// trace: one document's whole path, upload to last stage, is one trace.
/// </summary>
public readonly record struct JobOrigin(string? RequestId, string? TraceParent)
{
    /// <summary>Read from the ambient activity (the request's, or the enqueue span inside it).</summary>
    public static JobOrigin Current() =>
        Activity.Current is { } activity
            ? new JobOrigin(activity.GetBaggageItem(DocketTracing.RequestIdBaggage), activity.IdFormat == ActivityIdFormat.W3C ? activity.Id : null)
            : default;
}
