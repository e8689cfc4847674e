using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Docket.Data.Events;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Streams;

/// <summary>
/// Reads the tables once for every change-feed client of this process and hands each client the
/// frames it may see, serialised once. A round runs when the bus says events were stored and at
/// least every <see cref="StreamOptions.FeedPollInterval"/>, so a lost signal costs one interval.
/// <para>
/// Guarantee: a joined client gets every stored event with an id above the point it joined at,
/// once, in id order. The hub keeps, per client, the id it has served it through. A client that
/// joined behind what the hub has already read, or whose queue filled up, is detached (its queue
/// completes); it catches up from the table on its own and joins again.
/// </para>
/// </summary>
public sealed class ChangeFeedHub(IServiceScopeFactory scopes, IEventBus bus, IOptions<StreamOptions> options, TimeProvider clock,
    ILogger<ChangeFeedHub> log) : BackgroundService
{
    private const int EventPage = 1000;

    /// <summary>More changed documents in one look than this, and every client is told to reload instead.</summary>
    private const int DocumentLimit = 2000;

    /// <summary>
    /// Documents are looked at again for this long after they changed: a transaction may commit
    /// a moment after the clock reading it wrote, and nodes' clocks differ a little.
    /// </summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    private static readonly ReadOnlyMemory<byte> KeepAlive = ": keep-alive\n\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> Resync = "event: resync\ndata: {}\n\n"u8.ToArray();

    private readonly Lock _gate = new();
    private List<ChangeFeedSubscription> _joining = [];
    private readonly List<ChangeFeedSubscription> _active = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The highest event id read from the table.</summary>
    private long _through;

    private Dictionary<Guid, int> _versions = [];
    private List<(Guid Owner, byte[] Frame)> _window = [];
    private DateTimeOffset _documentsSince;
    private DateTimeOffset _documentsReadAt = DateTimeOffset.MinValue;

    /// <param name="through">The client has every event of its up to this id.</param>
    public ChangeFeedSubscription Join(CurrentUser user, long through)
    {
        var subscription = new ChangeFeedSubscription(user.SeesEverything ? null : user.Id, through);
        lock (_gate) _joining.Add(subscription);
        return subscription;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            _wake.Reader.TryRead(out _);
            try
            {
                if (await RoundAsync(stoppingToken)) _wake.Writer.TryWrite(true);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "The change feed could not read the tables; trying again at the next poll");
            }
            catch (OperationCanceledException)
            {
                break;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.FeedPollInterval);
            try
            {
                await _wake.Reader.WaitToReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // The poll interval passed (or the host stops).
            }
        }
        await listening;
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var subscription = bus.Subscribe(BusChannels.EventsStored))
            {
                // Whatever was signalled while not listening is found by the round this triggers.
                _wake.Writer.TryWrite(true);
                try
                {
                    await foreach (var _ in subscription.Messages.ReadAllAsync(stoppingToken)) _wake.Writer.TryWrite(true);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            // A bus that keeps cutting us loose (Redis down) must not turn this into a busy loop.
            await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <returns>True when a full page was read and more may be waiting.</returns>
    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        List<ChangeFeedSubscription> joined;
        lock (_gate) (joined, _joining) = (_joining, []);
        _active.RemoveAll(s => s.Gone);
        joined.RemoveAll(s => s.Gone);
        if (_active.Count == 0 && joined.Count == 0)
        {
            // Nobody to tell: the next client starts the document window afresh instead of from when the last one left.
            (_documentsReadAt, _versions, _window) = (DateTimeOffset.MinValue, [], []);
            return false;
        }

        // An idle hub skips what nobody joined early enough to need.
        var after = Math.Max(_through, _active.Concat(joined).Min(s => s.Through));
        foreach (var subscription in joined)
        {
            if (subscription.Through < after)
            {
                subscription.Detach(lagged: false);
                continue;
            }
            subscription.LastOffered = clock.GetUtcNow();
            foreach (var (owner, frame) in _window)
                if (subscription.Owner is null || subscription.Owner == owner) subscription.Offer(frame);
            _active.Add(subscription);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        // Documents first, events after: a document's change commits together with (or after) its events, so the
        // events read next hold every event behind each document state read here, and its frame, which goes out
        // after the round's events, never overtakes them.
        var now = clock.GetUtcNow();
        List<OwnedSummary>? changed = null;
        if (now - _documentsReadAt >= options.Value.FeedPollInterval)
        {
            var since = _documentsReadAt == DateTimeOffset.MinValue ? now : _documentsSince;
            changed = await ChangedDocuments(db, since - Overlap).Take(DocumentLimit + 1).ToListAsync(cancellationToken);
        }

        var events = await (
            from e in db.JobEvents.AsNoTracking()
            join j in db.Jobs on e.JobId equals j.Id
            where e.Id > after
            orderby e.Id
            select new { Event = e, j.OwnerId }).Take(EventPage).ToListAsync(cancellationToken);
        var through = events.Count > 0 ? events[^1].Event.Id : after;
        // A full page leaves events unread: the documents wait for the next round, which follows at once.
        if (events.Count == EventPage) changed = null;

        List<(Guid Owner, byte[] Frame)> documents = [];
        var resync = false;
        if (changed is not null)
        {
            _documentsReadAt = now;
            _documentsSince = now;
            if (changed.Count > DocumentLimit)
            {
                resync = true;
                _versions.Clear();
                _window = [];
            }
            else
            {
                var window = changed.Select(c => (c.OwnerId, DocumentFrame(c.Summary))).ToList();
                documents = [.. window.Where((_, i) => !_versions.TryGetValue(changed[i].Summary.Id, out var seen) || seen != changed[i].Summary.Version)];
                // Only what is still inside the window needs remembering: a document that leaves it
                // and changes again comes back with a new version.
                _versions = changed.ToDictionary(c => c.Summary.Id, c => c.Summary.Version);
                _window = window;
            }
        }

        var everything = new Frames();
        Dictionary<Guid, Frames>? owned = null;
        var owners = _active.Where(s => s.Owner is not null).Select(s => s.Owner!.Value).ToHashSet();
        foreach (var row in events)
        {
            var e = row.Event;
            var frame = EventFrame(new JobEvent(e.Id, e.JobId, e.DocumentId, e.Event, e.Stage, e.Progress, e.Message, e.CreatedAt, e.Error));
            everything.AddEvent(e.Id, frame);
            if (owners.Contains(row.OwnerId)) Owned(row.OwnerId).AddEvent(e.Id, frame);
        }
        foreach (var (owner, frame) in documents)
        {
            everything.AddDocument(frame);
            if (owners.Contains(owner)) Owned(owner).AddDocument(frame);
        }

        var keepAliveDue = now - options.Value.KeepAliveInterval;
        foreach (var subscription in _active)
        {
            if (subscription.Detached) continue;
            if (subscription.Through < after)
            {
                subscription.Detach(lagged: false);
                continue;
            }
            var frames = subscription.Owner is null ? everything : owned?.GetValueOrDefault(subscription.Owner.Value);
            var unseen = frames?.After(subscription.Through) ?? ReadOnlyMemory<byte>.Empty;
            bool delivered = true, offered = false;
            if (resync) (delivered, offered) = (subscription.Offer(Resync), true);
            if (!unseen.IsEmpty) (delivered, offered) = (delivered && subscription.Offer(unseen), true);
            else if (!offered && subscription.LastOffered <= keepAliveDue) (delivered, offered) = (subscription.Offer(KeepAlive), true);
            if (!delivered) continue;
            // A client that was offered nothing had nothing of its own in this round: it is served through it all the same.
            subscription.Through = Math.Max(subscription.Through, through);
            if (offered) subscription.LastOffered = now;
        }
        _active.RemoveAll(s => s.Detached);
        _through = through;
        return events.Count == EventPage;

        Frames Owned(Guid owner)
        {
            owned ??= [];
            if (!owned.TryGetValue(owner, out var frames)) owned[owner] = frames = new Frames();
            return frames;
        }
    }

    internal static IQueryable<OwnedSummary> ChangedDocuments(DocketDbContext db, DateTimeOffset since) =>
        db.Documents.Where(d => d.UpdatedAt >= since).OrderBy(d => d.UpdatedAt).ThenBy(d => d.Id)
            .Select(d => new OwnedSummary(d.OwnerId, new DocumentSummary(d.Id, d.Filename, d.FileType, d.SizeBytes, d.Status, d.Title,
                d.Category, d.CurrentJobId, d.CurrentJob == null ? 0 : d.CurrentJob.Progress, d.CurrentJob == null ? null : d.CurrentJob.Stage,
                d.FailureReason, d.Version, d.CreatedAt, d.UpdatedAt, d.FinalizedAt)));

    internal sealed record OwnedSummary(Guid OwnerId, DocumentSummary Summary);

    internal static byte[] EventFrame(JobEvent jobEvent)
    {
        var frame = new ArrayBufferWriter<byte>(512);
        frame.Write(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"id: {jobEvent.Id}\ndata: ")));
        frame.Write(jobEvent.ToUtf8Json());
        frame.Write("\n\n"u8);
        return frame.WrittenSpan.ToArray();
    }

    private static byte[] DocumentFrame(DocumentSummary document) =>
        [.. "event: document\ndata: "u8, .. JsonSerializer.SerializeToUtf8Bytes(document, ApiJson.Options), .. "\n\n"u8];

    /// <summary>One round's frames for one audience: progress events in id order, then document frames.</summary>
    private sealed class Frames
    {
        private readonly ArrayBufferWriter<byte> _bytes = new();
        private readonly List<(long Id, int Offset)> _events = [];
        private int _documentsStart;

        public void AddEvent(long id, byte[] frame)
        {
            _events.Add((id, _bytes.WrittenCount));
            _bytes.Write(frame);
            _documentsStart = _bytes.WrittenCount;
        }

        public void AddDocument(byte[] frame) => _bytes.Write(frame);

        /// <summary>The events above <paramref name="id"/> and every document frame.</summary>
        public ReadOnlyMemory<byte> After(long id)
        {
            var first = _events.FindIndex(e => e.Id > id);
            return _bytes.WrittenMemory[(first < 0 ? _documentsStart : _events[first].Offset)..];
        }
    }
}

/// <summary>One change-feed client's place in the <see cref="ChangeFeedHub"/>.</summary>
public sealed class ChangeFeedSubscription(Guid? owner, long through)
{
    private const int Capacity = 256;

    private readonly Channel<ReadOnlyMemory<byte>> _frames = Channel.CreateBounded<ReadOnlyMemory<byte>>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });

    /// <summary>Whose documents the client sees; null for everyone's.</summary>
    internal Guid? Owner { get; } = owner;

    /// <summary>
    /// The client has (or has queued) every event of its up to this id. Written by the hub only;
    /// read by the client after <see cref="Frames"/> completed.
    /// </summary>
    public long Through { get; internal set; } = through;

    internal DateTimeOffset LastOffered { get; set; }

    /// <summary>Frames to write as they are. Completes when the client must catch up from the table and join again.</summary>
    public ChannelReader<ReadOnlyMemory<byte>> Frames => _frames.Reader;

    /// <summary>Frames were dropped because the client read too slowly (document frames among them: send a resync).</summary>
    public bool Lagged { get; private set; }

    internal bool Detached { get; private set; }

    private volatile bool _gone;

    internal bool Gone => _gone;

    internal bool Offer(ReadOnlyMemory<byte> frames)
    {
        if (_frames.Writer.TryWrite(frames)) return true;
        Detach(lagged: true);
        return false;
    }

    internal void Detach(bool lagged)
    {
        Lagged = lagged;
        Detached = true;
        _frames.Writer.TryComplete();
    }

    public void Leave() => _gone = true;
}
