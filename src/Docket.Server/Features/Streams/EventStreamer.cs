using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Server.Api;
using Docket.Server.Observability;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Streams;

/// <summary>Section "Streams".</summary>
public sealed class StreamOptions
{
    public const string Section = "Streams";

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the change feed (GET /events/stream) reads the tables.</summary>
    public TimeSpan FeedPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <param name="Snapshot">The current state, sent first as an SSE event named "state".</param>
/// <param name="CurrentJobId">The job whose terminal event ends the stream.</param>
/// <param name="Active">Whether a job may still produce events; an idle stream closes after the snapshot and replay.</param>
public sealed record StreamStart(object Snapshot, Guid? CurrentJobId, bool Active);

/// <summary>
/// Server-sent events for a job or a document. Order of work matters for not missing anything:
/// subscribe to the bus first, then read where the stored history ends, then the snapshot; every
/// event after that point arrives either by replay from the table or live, and duplicates are
/// dropped by id. A client that reconnects with Last-Event-ID gets exactly what it missed.
/// </summary>
public sealed class EventStreamer(IJobStore store, IEventBus bus, IOptions<StreamOptions> options, ServerMetrics metrics)
{
    private const int ReplayPage = 500;

    /// <param name="loadStart">The snapshot; null when the resource is gone (answered 404).</param>
    public async Task StreamAsync(HttpContext http, EventScope scope, Guid id, Func<Task<StreamStart?>> loadStart,
        CancellationToken cancellationToken)
    {
        var channel = scope == EventScope.Job ? BusChannels.Job(id) : BusChannels.Document(id);
        var subscription = bus.Subscribe(channel);
        var open = false;
        try
        {
            var resumed = TryReadLastEventId(http, out var cursor);
            if (!resumed) cursor = await store.LastEventIdAsync(scope, id, cancellationToken);
            if (await loadStart() is not { } start)
            {
                await ApiErrors.Create(http, 404, "not_found", $"No {scope.ToString().ToLowerInvariant()} with id {id}.").ExecuteAsync(http);
                return;
            }

            StartResponse(http);
            metrics.StreamOpened();
            open = true;

            var state = new StreamState(scope, start.CurrentJobId, cursor);
            await WriteAsync(http, $"retry: 2000\nevent: state\ndata: {JsonSerializer.Serialize(start.Snapshot, ApiJson.Options)}\n\n", cancellationToken);
            if (await ReplayAsync(http, scope, id, state, cancellationToken)) return;
            if (!start.Active && state.CurrentJobStillIdle) return;

            var keepAlive = options.Value.KeepAliveInterval;
            while (!cancellationToken.IsCancellationRequested)
            {
                bool readable;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    wait.CancelAfter(keepAlive);
                    try
                    {
                        readable = await subscription.Messages.WaitToReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // A quiet stream also looks at the table: an event whose signal was lost (its
                        // writer died between commit and publish) arrives at most one interval late.
                        if (await ReplayAsync(http, scope, id, state, cancellationToken)) return;
                        await WriteAsync(http, ": keep-alive\n\n", cancellationToken);
                        continue;
                    }
                }

                if (!readable)
                {
                    // We fell behind and the bus cut us loose: listen again, then catch up from the table.
                    subscription.Dispose();
                    subscription = bus.Subscribe(channel);
                    if (await ReplayAsync(http, scope, id, state, cancellationToken)) return;
                    continue;
                }

                while (subscription.Messages.TryRead(out var message))
                {
                    var jobEvent = JobEvent.FromUtf8Json(message.Span);
                    if (jobEvent.Id <= state.Cursor) continue;
                    await WriteEventAsync(http, jobEvent.Id, message, cancellationToken);
                    if (state.Advance(jobEvent)) return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            subscription.Dispose();
            if (open) metrics.StreamClosed();
        }
    }

    /// <returns>True when a terminal event was sent and the stream should close.</returns>
    private async Task<bool> ReplayAsync(HttpContext http, EventScope scope, Guid id, StreamState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await store.EventsAsync(scope, id, state.Cursor, ReplayPage, cancellationToken);
            foreach (var jobEvent in events)
            {
                await WriteEventAsync(http, jobEvent.Id, jobEvent.ToUtf8Json(), cancellationToken);
                if (state.Advance(jobEvent)) return true;
            }
            if (events.Count < ReplayPage) return false;
        }
    }

    internal static void StartResponse(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache, no-transform";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    internal static bool TryReadLastEventId(HttpContext http, out long lastEventId)
    {
        var text = http.Request.Headers["Last-Event-ID"].ToString();
        if (text.Length == 0) text = http.Request.Query["last_event_id"].ToString();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out lastEventId) && lastEventId >= 0;
    }

    internal static async Task WriteEventAsync(HttpContext http, long id, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        var body = http.Response.BodyWriter;
        Write(body, $"id: {id}\ndata: ");
        body.Write(json.Span);
        Write(body, "\n\n");
        await body.FlushAsync(cancellationToken);
    }

    internal static async Task WriteAsync(HttpContext http, string text, CancellationToken cancellationToken)
    {
        Write(http.Response.BodyWriter, text);
        await http.Response.BodyWriter.FlushAsync(cancellationToken);
    }

    private static void Write(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Where the stream is, and which job's end closes it (a document's current job can change).</summary>
    private sealed class StreamState(EventScope scope, Guid? currentJobId, long cursor)
    {
        public long Cursor { get; private set; } = cursor;

        /// <summary>No event since the snapshot has started a new job.</summary>
        public bool CurrentJobStillIdle { get; private set; } = true;

        /// <returns>True when the event ends the stream.</returns>
        public bool Advance(JobEvent jobEvent)
        {
            Cursor = jobEvent.Id;
            if (jobEvent.Event == EventNames.JobQueued && jobEvent.JobId != currentJobId)
            {
                currentJobId = jobEvent.JobId;
                CurrentJobStillIdle = false;
            }
            if (!EventNames.IsTerminal(jobEvent.Event)) return false;
            return scope == EventScope.Job || currentJobId is null || jobEvent.JobId == currentJobId;
        }
    }
}
