using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Docket.Data.Events;

/// <summary>The embedded bus: channels in memory, for one process.</summary>
public sealed class InProcessEventBus(int subscriberCapacity = 4096) : IEventBus
{
    private readonly ConcurrentDictionary<string, Subscription[]> _subscribers = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (_subscribers.TryGetValue(channel, out var subscriptions))
            foreach (var subscription in subscriptions)
                subscription.Deliver(payload);
        return ValueTask.CompletedTask;
    }

    public IBusSubscription Subscribe(string channel)
    {
        var subscription = new Subscription(this, channel, subscriberCapacity);
        lock (_gate)
        {
            var current = _subscribers.GetValueOrDefault(channel, []);
            _subscribers[channel] = [.. current, subscription];
        }
        return subscription;
    }

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            if (!_subscribers.TryGetValue(subscription.Channel, out var current)) return;
            var remaining = current.Where(s => s != subscription).ToArray();
            if (remaining.Length == 0) _subscribers.TryRemove(subscription.Channel, out _);
            else _subscribers[subscription.Channel] = remaining;
        }
    }

    private sealed class Subscription(InProcessEventBus bus, string channel, int capacity) : IBusSubscription
    {
        private readonly Channel<ReadOnlyMemory<byte>> _channel = System.Threading.Channels.Channel.CreateBounded<ReadOnlyMemory<byte>>(
            new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = false });

        public string Channel { get; } = channel;

        public ChannelReader<ReadOnlyMemory<byte>> Messages => _channel.Reader;

        public bool Overflowed { get; private set; }

        // A slow reader must not slow the publisher (a worker); it is cut loose and catches up from the table.
        public void Deliver(ReadOnlyMemory<byte> payload)
        {
            if (_channel.Writer.TryWrite(payload)) return;
            Overflowed = true;
            _channel.Writer.TryComplete();
        }

        public void Dispose()
        {
            bus.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
