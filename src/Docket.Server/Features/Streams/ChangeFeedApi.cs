using Docket.Data.Events;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Observability;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
/// It reads the tables at <see cref="StreamOptions.FeedPollInterval"/> rather than listening on the
/// bus, because the bus has channels per job and per document only. The tables are the truth, so
/// a dropped connection or a lost bus signal costs nothing but the delay of one poll.
/// </summary>
public static class ChangeFeedApi
{
    private const int Page = 500;

    /// <summary>
    /// Documents are looked at again for this long after they changed: a transaction may commit
    /// a moment after the clock reading it wrote, and nodes' clocks differ a little.
    /// </summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapChangeFeedApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/events/stream", Stream).WithTags("Streams").WithName("StreamAllEvents")
            .Produces(200, contentType: "text/event-stream")
            .WithSummary("Server-sent events for all of the caller's documents: progress events (resume with Last-Event-ID), "
                + "'document' frames when a document changes, 'resync' when too much changed at once");
        return routes;
    }

    private static async Task Stream(HttpContext http, DocketDbContext db, CurrentUser user, IOptions<StreamOptions> options,
        TimeProvider clock, ServerMetrics metrics, CancellationToken cancellationToken)
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

            var versions = new Dictionary<Guid, int>();
            var since = clock.GetUtcNow();
            var quietSince = clock.GetUtcNow();
            while (!cancellationToken.IsCancellationRequested)
            {
                var wrote = false;
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
                        wrote = true;
                    }
                } while (events.Count == Page);

                var checkedAt = clock.GetUtcNow();
                var changed = await ChangedDocuments(db, user, since - Overlap).Take(Page + 1).ToListAsync(cancellationToken);
                if (changed.Count > Page)
                {
                    await EventStreamer.WriteAsync(http, "event: resync\ndata: {}\n\n", cancellationToken);
                    wrote = true;
                    versions.Clear();
                }
                else
                {
                    foreach (var document in changed.Where(d => !versions.TryGetValue(d.Id, out var seen) || seen != d.Version))
                    {
                        await EventStreamer.WriteAsync(http,
                            $"event: document\ndata: {System.Text.Json.JsonSerializer.Serialize(document, ApiJson.Options)}\n\n", cancellationToken);
                        wrote = true;
                    }
                    // Only what is still inside the window needs remembering: a document that leaves it
                    // and changes again comes back with a new version.
                    versions = changed.ToDictionary(d => d.Id, d => d.Version);
                }
                since = checkedAt;

                if (wrote) quietSince = clock.GetUtcNow();
                else if (clock.GetUtcNow() - quietSince >= options.Value.KeepAliveInterval)
                {
                    await EventStreamer.WriteAsync(http, ": keep-alive\n\n", cancellationToken);
                    quietSince = clock.GetUtcNow();
                }
                await Task.Delay(options.Value.FeedPollInterval, clock, cancellationToken);
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

    private static IQueryable<JobEventRecord> OwnedEvents(DocketDbContext db, CurrentUser user) =>
        user.SeesEverything ? db.JobEvents : db.JobEvents.Where(e => db.Jobs.Any(j => j.Id == e.JobId && j.OwnerId == user.Id));

    private static IQueryable<DocumentSummary> ChangedDocuments(DocketDbContext db, CurrentUser user, DateTimeOffset since)
    {
        var documents = user.SeesEverything ? db.Documents : db.Documents.Where(d => d.OwnerId == user.Id);
        return documents.Where(d => d.UpdatedAt >= since).OrderBy(d => d.UpdatedAt).ThenBy(d => d.Id)
            .Select(d => new DocumentSummary(d.Id, d.Filename, d.FileType, d.SizeBytes, d.Status, d.Title, d.Category,
                d.CurrentJobId, d.CurrentJob == null ? 0 : d.CurrentJob.Progress, d.CurrentJob == null ? null : d.CurrentJob.Stage,
                d.FailureReason, d.Version, d.CreatedAt, d.UpdatedAt, d.FinalizedAt));
    }
}
