using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Data.Events;

/// <summary>A progress event as stored in job_events and sent to listeners (DESIGN.md payload).</summary>
public sealed record JobEvent(
    long Id,
    Guid JobId,
    Guid DocumentId,
    string Event,
    string? Stage,
    int Progress,
    string? Message,
    DateTimeOffset Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, EventJsonContext.Default.JobEvent);

    public static JobEvent FromUtf8Json(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, EventJsonContext.Default.JobEvent)
        ?? throw new JsonException("An event message was null.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JobEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;

/// <summary>Bus channel names (DESIGN.md: a channel per document and per job, plus wake-ups).</summary>
public static class BusChannels
{
    /// <summary>A signal with no payload: a job became due; idle workers should claim now instead of at the next poll.</summary>
    public const string JobsAvailable = "jobs:available";

    /// <summary>Payload: a job id whose cancellation was requested, for the worker that runs it.</summary>
    public const string JobsCancel = "jobs:cancel";

    /// <summary>
    /// A signal with no payload: progress events were stored. The change feed reads the table once
    /// for all of its clients when it hears this, instead of waiting for its next poll.
    /// </summary>
    public const string EventsStored = "events:stored";

    public static string Document(Guid id) => $"document:{id:D}";

    public static string Job(Guid id) => $"job:{id:D}";
}
