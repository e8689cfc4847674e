using Docket.Data.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Docket.Data.Redis;

/// <summary>
/// The distributed bus (DESIGN.md): Redis pub/sub over two connections, one publishing, one
/// subscribed. Both connect in the background and reconnect on their own; publishing never blocks.
/// </summary>
public sealed class RedisEventBus : IEventBus, IAsyncDisposable, IDisposable
{
    private readonly RedisOptions _options;
    private readonly RedisPublisher _publisher;
    private readonly RedisSubscriber _subscriber;

    public RedisEventBus(RedisOptions options, int subscriberCapacity = 4096, ILogger<RedisEventBus>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subscriberCapacity, 1);
        _options = options;
        var logger = (ILogger?)log ?? NullLogger.Instance;
        _publisher = new RedisPublisher(options, logger);
        _subscriber = new RedisSubscriber(options, subscriberCapacity, logger);
    }

    /// <summary>Times either connection was lost and made again.</summary>
    public long Reconnects => _publisher.Reconnects + _subscriber.Reconnects;

    /// <summary>Publishes dropped because the outgoing queue was full.</summary>
    public long DroppedPublishes => _publisher.Dropped;

    /// <summary>Completes once both connections have been up (useful before the first Subscribe, which does not wait while disconnected).</summary>
    public Task ConnectedAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(_publisher.FirstConnected, _subscriber.FirstConnected).WaitAsync(cancellationToken);

    /// <summary>Both connections are up right now, as far as this process knows (no round trip; see <see cref="IsHealthyAsync"/>).</summary>
    public bool IsConnected => _publisher.IsConnected && _subscriber.IsConnected;

    /// <summary>Enqueues at once, in call order. The task fails when the message was dropped or the connection died before Redis took it.</summary>
    public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        _publisher.PublishAsync(channel, payload);

    public IBusSubscription Subscribe(string channel) => _subscriber.Subscribe(channel, pattern: false);

    /// <summary>PSUBSCRIBE: messages of every channel matching a glob pattern (e.g. <c>job:*</c>), for diagnostics.</summary>
    public IBusSubscription SubscribePattern(string pattern) => _subscriber.Subscribe(pattern, pattern: true);

    /// <summary>Healthy when a PING on the publisher answers within the command timeout and the subscriber is connected.</summary>
    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (!_publisher.IsConnected || !_subscriber.IsConnected) return false;
        try
        {
            await _publisher.PingAsync().AsTask().WaitAsync(_options.CommandTimeout, cancellationToken);
            return _subscriber.IsConnected;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>For containers disposed synchronously (a ServiceProvider refuses to dispose an async-only singleton that way).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await _subscriber.DisposeAsync();
        await _publisher.DisposeAsync();
    }
}
