using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Docket.Data.Events;
using Microsoft.Extensions.Logging;

namespace Docket.Data.Redis;

/// <summary>
/// The dedicated subscriber connection. Local subscriptions to one channel (or pattern) share one
/// Redis SUBSCRIBE, counted; the last one to leave sends UNSUBSCRIBE.
/// <para>
/// Gap rule (decisions.md 15): a subscription's reader completes whenever it may have missed a
/// message since it was created: when the connection drops, and, for a subscription made while
/// Redis was unreachable, as soon as its channel is subscribed again. Its owner then re-reads from
/// the database and subscribes anew, exactly as after an overflow.
/// </para>
/// </summary>
internal sealed class RedisSubscriber : IAsyncDisposable
{
    private long _reconnects;

    /// <summary>Times the connection was lost and made again.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    private readonly RedisOptions _options;
    private readonly ILogger _log;
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<Key, Entry> _entries = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _run;

    // Set under _gate once the connection is up and every wanted channel has been re-sent.
    private Channel<ReadOnlyMemory<byte>[]>? _commands;
    private bool _disposed;

    public RedisSubscriber(RedisOptions options, int subscriberCapacity, ILogger log)
    {
        _options = options;
        _capacity = subscriberCapacity;
        _log = log;
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    public bool IsConnected
    {
        get { lock (_gate) return _commands is not null; }
    }

    public Task FirstConnected => _connected.Task;

    /// <summary>
    /// Waits (up to the command timeout) for Redis to confirm the SUBSCRIBE, so a caller that reads the
    /// database right after this returns misses nothing in between. Without a connection it does not wait.
    /// </summary>
    public IBusSubscription Subscribe(string name, bool pattern)
    {
        var key = new Key(name, pattern);
        Subscription subscription;
        TaskCompletionSource<bool> live;
        bool connected;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_entries.TryGetValue(key, out var entry)) _entries[key] = entry = new Entry();
            subscription = new Subscription(this, key, _capacity);
            entry.Subscriptions = [.. entry.Subscriptions, subscription];
            if (entry.Subscriptions.Length == 1) entry.Live = NewLive();
            connected = _commands is not null;
            if (entry.Subscriptions.Length == 1 && connected) SendSubscribe(key, entry);
            live = entry.Live!;
        }

        if (connected && !live.Task.IsCompleted) live.Task.Wait(_options.CommandTimeout);
        if (!live.Task.IsCompletedSuccessfully || !live.Task.Result)
        {
            // Not confirmed yet: whatever was published until it is, this subscriber did not hear.
            live.Task.ContinueWith(t =>
            {
                if (t.Result) subscription.Complete();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return subscription;
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(subscription.Key, out var entry)) return;
            var remaining = entry.Subscriptions.Where(s => s != subscription).ToArray();
            if (remaining.Length == entry.Subscriptions.Length) return;
            entry.Subscriptions = remaining;
            if (remaining.Length > 0) return;
            if (_commands is not null)
            {
                Send(subscription.Key.Pattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", subscription.Key.Name);
                entry.Pending.Enqueue(null);
            }
            if (entry.Pending.Count == 0) _entries.Remove(subscription.Key);
        }
    }

    private static TaskCompletionSource<bool> NewLive() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _gate, connected.
    private void SendSubscribe(Key key, Entry entry)
    {
        Send(key.Pattern ? "PSUBSCRIBE" : "SUBSCRIBE", key.Name);
        entry.Pending.Enqueue(entry.Live);
    }

    // Under _gate, so commands reach the wire in the order the bus decided them.
    private void Send(params string[] arguments) =>
        _commands!.Writer.TryWrite([.. arguments.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a))]);

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = new Backoff(_options.MaxReconnectDelay);
        while (!stop.IsCancellationRequested)
        {
            if (await RedisConnection.ConnectWithRetriesAsync(_options, backoff, _log, "subscriber", stop) is not { } connection) break;
            var commands = Channel.CreateUnbounded<ReadOnlyMemory<byte>[]>(new UnboundedChannelOptions { SingleReader = true });
            var pingSentAt = new StrongBox<long>(0);
            lock (_gate)
            {
                _commands = commands;
                foreach (var (key, entry) in _entries.ToList())
                {
                    if (entry.Subscriptions.Length > 0) SendSubscribe(key, entry);
                    else _entries.Remove(key);
                }
            }
            _connected.TrySetResult();

            using var connectionStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var tasks = new[]
            {
                WriteAsync(connection, commands.Reader, connectionStop.Token),
                ReadAsync(connection, pingSentAt, connectionStop.Token),
                KeepAliveAsync(commands.Writer, pingSentAt, connectionStop.Token),
            };
            var ended = await Task.WhenAny(tasks);
            Disconnected();
            await connectionStop.CancelAsync();
            connection.Abort();
            try
            {
                await Task.WhenAll(tasks);
            }
            catch (Exception)
            {
                // The connection is gone either way: the first failure is logged below, the others are its echoes.
            }
            await connection.DisposeAsync();
            if (stop.IsCancellationRequested) break;
            Interlocked.Increment(ref _reconnects);
            _log.LogWarning(ended.Exception?.GetBaseException(), "Redis subscriber lost its connection; listeners replay from the database and it reconnects");
            await backoff.WaitAsync(stop);
        }
        Disconnected();
    }

    /// <summary>Every current listener may miss messages from now on: tell each by completing its reader.</summary>
    private void Disconnected()
    {
        List<Subscription> cut = [];
        lock (_gate)
        {
            _commands?.Writer.TryComplete();
            _commands = null;
            foreach (var (key, entry) in _entries.ToList())
            {
                foreach (var live in entry.Pending) live?.TrySetResult(false);
                entry.Pending.Clear();
                cut.AddRange(entry.Subscriptions);
                if (entry.Subscriptions.Length > 0) entry.Live = NewLive();
                else _entries.Remove(key);
            }
        }
        foreach (var subscription in cut) subscription.Complete();
    }

    private static async Task WriteAsync(RedisConnection connection, ChannelReader<ReadOnlyMemory<byte>[]> commands, CancellationToken cancellationToken)
    {
        while (await commands.WaitToReadAsync(cancellationToken))
        {
            while (commands.TryRead(out var command)) RespWriter.WriteCommand(connection.Output, command);
            await connection.FlushAsync(cancellationToken);
        }
    }

    private async Task ReadAsync(RedisConnection connection, StrongBox<long> pingSentAt, CancellationToken cancellationToken)
    {
        while (true)
        {
            var push = await connection.ReadAsync(cancellationToken);
            if (push.Kind == RespKind.Error) throw new RedisException($"Redis refused a subscriber command: {push.Text}");
            // Subscribed to nothing, the connection is an ordinary one again and PING answers +PONG, not a push.
            if (push.Kind == RespKind.SimpleString && push.Text == "PONG")
            {
                Volatile.Write(ref pingSentAt.Value, 0);
                continue;
            }
            if (push.Items is not { Length: >= 2 } items || items[0].Text is not { } kind)
                throw new RespProtocolException($"Unexpected message on the subscriber connection: {push}");
            switch (kind)
            {
                case "message" when items.Length == 3:
                    Deliver(new Key(items[1].Text ?? "", false), items[2].Bytes ?? []);
                    break;
                case "pmessage" when items.Length == 4:
                    Deliver(new Key(items[1].Text ?? "", true), items[3].Bytes ?? []);
                    break;
                case "subscribe" or "psubscribe":
                    Acknowledge(new Key(items[1].Text ?? "", kind == "psubscribe"), subscribed: true);
                    break;
                case "unsubscribe" or "punsubscribe":
                    Acknowledge(new Key(items[1].Text ?? "", kind == "punsubscribe"), subscribed: false);
                    break;
                case "pong":
                    Volatile.Write(ref pingSentAt.Value, 0);
                    break;
                default:
                    throw new RespProtocolException($"Unexpected message on the subscriber connection: {push}");
            }
        }
    }

    private void Deliver(Key key, byte[] payload)
    {
        Subscription[] subscriptions;
        lock (_gate) subscriptions = _entries.TryGetValue(key, out var entry) ? entry.Subscriptions : [];
        foreach (var subscription in subscriptions) subscription.Deliver(payload);
    }

    private void Acknowledge(Key key, bool subscribed)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry) || !entry.Pending.TryDequeue(out var live)) return;
            // Replies come in command order per channel; a mismatch means the bookkeeping is wrong, and the safe answer is a new connection.
            if ((live is not null) != subscribed) throw new RespProtocolException($"Redis confirmed {(subscribed ? "" : "un")}subscribing {key.Name} out of order.");
            live?.TrySetResult(true);
            if (entry.Subscriptions.Length == 0 && entry.Pending.Count == 0) _entries.Remove(key);
        }
    }

    /// <summary>An idle subscriber cannot otherwise tell a silent channel from a dead server (half-open TCP).</summary>
    private async Task KeepAliveAsync(ChannelWriter<ReadOnlyMemory<byte>[]> commands, StrongBox<long> pingSentAt, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.CommandTimeout);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var sent = Volatile.Read(ref pingSentAt.Value);
            if (sent != 0 && Environment.TickCount64 - sent >= _options.CommandTimeout.TotalMilliseconds)
                throw new RedisException($"Redis at {_options} did not answer a PING within {_options.CommandTimeout.TotalMilliseconds:0} ms.");
            if (sent == 0)
            {
                Volatile.Write(ref pingSentAt.Value, Environment.TickCount64);
                lock (_gate) commands.TryWrite([Encoding.UTF8.GetBytes("PING")]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) _disposed = true;
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private readonly record struct Key(string Name, bool Pattern);

    private sealed class Entry
    {
        public Subscription[] Subscriptions = [];

        /// <summary>Completes true when Redis confirms the SUBSCRIBE that serves the current subscriptions, false when the connection drops first.</summary>
        public TaskCompletionSource<bool>? Live;

        /// <summary>Commands awaiting their confirmation, in order: a SUBSCRIBE's Live, or null for an UNSUBSCRIBE.</summary>
        public readonly Queue<TaskCompletionSource<bool>?> Pending = new();
    }

    private sealed class Subscription(RedisSubscriber owner, Key key, int capacity) : IBusSubscription
    {
        private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false });
        private int _completed;

        public Key Key { get; } = key;

        public ChannelReader<ReadOnlyMemory<byte>> Messages => _channel.Reader;

        public bool Overflowed { get; private set; }

        // A slow reader must not hold up the subscriber connection (every other listener); it is cut loose instead.
        public void Deliver(ReadOnlyMemory<byte> payload)
        {
            if (_channel.Writer.TryWrite(payload)) return;
            // A full buffer, unless the bus already completed it for another reason (then it is not an overflow).
            if (Interlocked.Exchange(ref _completed, 1) != 0) return;
            Overflowed = true;
            _channel.Writer.TryComplete();
        }

        public void Complete()
        {
            Interlocked.Exchange(ref _completed, 1);
            _channel.Writer.TryComplete();
        }

        public void Dispose()
        {
            owner.Remove(this);
            Complete();
        }
    }
}
