using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Docket.Data.Redis;

/// <summary>
/// One publishing connection fed by an ordered queue. <see cref="PublishAsync"/> only enqueues, so
/// callers (the job store's single writer thread) never wait for the network and their order is the
/// order on the wire; commands are pipelined and their replies matched in order. The task completes
/// when Redis has accepted the message, and fails when it was dropped or the connection died first.
/// Messages still queued when the connection drops are sent after the reconnect.
/// </summary>
internal sealed class RedisPublisher : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private long _reconnects;

    /// <summary>Times the connection was lost and made again.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    private readonly RedisOptions _options;
    private readonly ILogger _log;
    private readonly Channel<Request> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _dropped;
    private volatile bool _isConnected;

    public RedisPublisher(RedisOptions options, ILogger log)
    {
        _options = options;
        _log = log;
        _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(options.PublishQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // never waited on: TryWrite fails when full and the message is dropped
        });
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Messages dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public bool IsConnected => _isConnected;

    public Task FirstConnected => _connected.Task;

    public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload) =>
        Enqueue(new Request(Encoding.UTF8.GetBytes(channel), payload));

    /// <summary>A PING through the same queue: it answers only when everything queued before it was written.</summary>
    public ValueTask PingAsync() => Enqueue(new Request(null, default));

    private ValueTask Enqueue(Request request)
    {
        if (_queue.Writer.TryWrite(request)) return new ValueTask(request.Completion.Task);
        if (_stop.IsCancellationRequested) return ValueTask.FromException(new ObjectDisposedException(nameof(RedisEventBus)));
        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
            _log.LogWarning("Redis publish queue is full ({Capacity}); {Dropped} messages dropped so far", _options.PublishQueueCapacity, dropped);
        return ValueTask.FromException(new RedisException($"The Redis publish queue is full ({_options.PublishQueueCapacity}); the message was dropped."));
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = new Backoff(_options.MaxReconnectDelay);
        while (!stop.IsCancellationRequested)
        {
            if (await RedisConnection.ConnectWithRetriesAsync(_options, backoff, _log, "publisher", stop) is not { } connection) break;
            _isConnected = true;
            _connected.TrySetResult();
            var inFlight = new ConcurrentQueue<Request>();
            using var connectionStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var tasks = new[]
            {
                WriteAsync(connection, inFlight, connectionStop.Token),
                ReadAsync(connection, inFlight, connectionStop.Token),
                WatchAsync(inFlight, connectionStop.Token),
            };
            var ended = await Task.WhenAny(tasks);
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
            // Only now: "not connected" must mean nothing takes from the queue until the next connection.
            _isConnected = false;
            await connection.DisposeAsync();

            // Sent but unanswered: Redis may or may not have delivered them, so say "failed", never "delivered".
            var lost = new RedisException($"The connection to Redis at {_options} was lost before it answered.");
            while (inFlight.TryDequeue(out var request)) request.Completion.TrySetException(lost);
            if (stop.IsCancellationRequested) break;
            Interlocked.Increment(ref _reconnects);
            _log.LogWarning(ended.Exception?.GetBaseException(), "Redis publisher lost its connection; reconnecting");
            await backoff.WaitAsync(stop);
        }

        _queue.Writer.TryComplete();
        var disposed = new ObjectDisposedException(nameof(RedisEventBus));
        while (_queue.Reader.TryRead(out var request)) request.Completion.TrySetException(disposed);
    }

    private async Task WriteAsync(RedisConnection connection, ConcurrentQueue<Request> inFlight, CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            var batch = 0;
            while (batch < MaxBatch && !cancellationToken.IsCancellationRequested && _queue.Reader.TryRead(out var request))
            {
                if (request.Channel is null) RespWriter.WriteCommand(connection.Output, "PING");
                else RespWriter.WriteCommand(connection.Output, Request.Publish, request.Channel, request.Payload);
                request.SentAt = Environment.TickCount64;
                // Queued before the flush, so the reader always finds the request its reply belongs to.
                inFlight.Enqueue(request);
                batch++;
            }
            await connection.FlushAsync(cancellationToken);
        }
    }

    private static async Task ReadAsync(RedisConnection connection, ConcurrentQueue<Request> inFlight, CancellationToken cancellationToken)
    {
        while (true)
        {
            var reply = await connection.ReadAsync(cancellationToken);
            if (!inFlight.TryDequeue(out var request))
                throw new RespProtocolException($"Redis sent a reply nobody asked for: {reply}");
            if (reply.Kind == RespKind.Error) request.Completion.TrySetException(new RedisException($"Redis refused the command: {reply.Text}"));
            else request.Completion.TrySetResult();
        }
    }

    /// <summary>A server that stops answering (but keeps the socket open) counts as a lost connection.</summary>
    private async Task WatchAsync(ConcurrentQueue<Request> inFlight, CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _options.CommandTimeout.TotalMilliseconds / 4));
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            if (inFlight.TryPeek(out var oldest) && Environment.TickCount64 - oldest.SentAt > _options.CommandTimeout.TotalMilliseconds)
                throw new RedisException($"Redis at {_options} did not answer within {_options.CommandTimeout.TotalMilliseconds:0} ms.");
        }
    }

    public async ValueTask DisposeAsync()
    {
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

    private sealed class Request(byte[]? channel, ReadOnlyMemory<byte> payload)
    {
        public static readonly ReadOnlyMemory<byte> Publish = "PUBLISH"u8.ToArray();

        /// <summary>Null for a PING.</summary>
        public byte[]? Channel { get; } = channel;
        public ReadOnlyMemory<byte> Payload { get; } = payload;
        public long SentAt { get; set; }
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Reconnection pauses: 50 ms doubling up to a ceiling, with jitter so many nodes do not reconnect in step.</summary>
internal sealed class Backoff(TimeSpan max)
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);
    private TimeSpan _next = First;

    public void Reset() => _next = First;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var delay = _next * (0.5 + Random.Shared.NextDouble() / 2);
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, max.Ticks));
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
