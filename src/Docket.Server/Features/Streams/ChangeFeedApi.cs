using System.Buffers;
using Docket.Data.Events;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Observability;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Features.Streams;

/// <summary>
/// One stream for everything of the caller's, so a page that shows many documents needs one
/// connection, not one per document (browsers allow six per origin over HTTP/1.1).
/// <list type="bullet">
/// <item>Progress events, unnamed, with <c>id:</c>, as on the per-document streams; Last-Event-ID resumes.</item>
/// <item><c>event: document</c> with the document's list entry whenever its version moved,
/// which also covers what is not a progress event (review edits, approve, reject).</item>
/// <item><c>event: resync</c> when more changed at once than one frame per document is worth:
/// the client reloads what it shows.</item>
/// </list>
/// It reads the tables rather than the bus's messages, because the bus has channels per job and per
/// document only; <see cref="ChangeFeedHub"/> reads them once for all clients of the process, when
/// the bus signals stored events and at <see cref="StreamOptions.FeedPollInterval"/>. The tables
/// are the truth, so a dropped connection or a lost bus signal costs nothing but the delay of one poll.
/// </summary>
public static class ChangeFeedApi
{
    private const int Page = 500;

    public static IEndpointRouteBuilder MapChangeFeedApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/events/stream", Stream).WithTags("Streams").WithName("StreamAllEvents")
            .Produces(200, contentType: "text/event-stream")
            .WithSummary("Server-sent events for all of the caller's documents: progress events (resume with Last-Event-ID), "
                + "'document' frames when a document changes, 'resync' when too much changed at once");
        return routes;
    }

    private static async Task Stream(HttpContext http, DocketDbContext db, CurrentUser user, ChangeFeedHub hub,
        ServerMetrics metrics, CancellationToken cancellationToken)
    {
        var open = false;
        try
        {
            if (!EventStreamer.TryReadLastEventId(http, out var cursor))
                cursor = await db.JobEvents.MaxAsync(e => (long?)e.Id, cancellationToken) ?? 0;
            EventStreamer.StartResponse(http);
            metrics.StreamOpened();
            open = true;
            await EventStreamer.WriteAsync(http, "retry: 2000\n\n", cancellationToken);

            var body = http.Response.BodyWriter;
            while (!cancellationToken.IsCancellationRequested)
            {
                // Caught up from the table first, then joined at that point: the hub serves what is newer.
                cursor = await ReplayAsync(http, db, user, cursor, cancellationToken);
                var subscription = hub.Join(user, cursor);
                try
                {
                    while (await subscription.Frames.WaitToReadAsync(cancellationToken))
                    {
                        while (subscription.Frames.TryRead(out var frames)) body.Write(frames.Span);
                        await body.FlushAsync(cancellationToken);
                    }
                }
                finally
                {
                    subscription.Leave();
                }
                // Detached by the hub: everything it queued was written above, so its mark is where to go on from.
                cursor = subscription.Through;
                if (subscription.Lagged) await EventStreamer.WriteAsync(http, "event: resync\ndata: {}\n\n", cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            if (open) metrics.StreamClosed();
        }
    }

    /// <returns>The id of the last event written, or <paramref name="cursor"/> when there was none.</returns>
    private static async Task<long> ReplayAsync(HttpContext http, DocketDbContext db, CurrentUser user, long cursor,
        CancellationToken cancellationToken)
    {
        List<JobEventRecord> events;
        do
        {
            events = await OwnedEvents(db, user).Where(e => e.Id > cursor).OrderBy(e => e.Id).Take(Page)
                .AsNoTracking().ToListAsync(cancellationToken);
            foreach (var e in events)
            {
                var payload = new JobEvent(e.Id, e.JobId, e.DocumentId, e.Event, e.Stage, e.Progress, e.Message, e.CreatedAt, e.Error);
                await EventStreamer.WriteEventAsync(http, e.Id, payload.ToUtf8Json(), cancellationToken);
                cursor = e.Id;
            }
        } while (events.Count == Page);
        return cursor;
    }

    private static IQueryable<JobEventRecord> OwnedEvents(DocketDbContext db, CurrentUser user) =>
        user.SeesEverything ? db.JobEvents : db.JobEvents.Where(e => db.Jobs.Any(j => j.Id == e.JobId && j.OwnerId == user.Id));
}
