using System.Threading.Channels;

namespace Docket.Data.Events;

/// <summary>
/// Carries signals only (DESIGN.md): progress events that are already stored, and wake-ups.
/// A message may be lost (a full buffer, a Redis restart); listeners recover from the database.
/// </summary>
public interface IEventBus
{
    ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    IBusSubscription Subscribe(string channel);

    /// <summary>Whether the bus can deliver right now (readiness check).</summary>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

public interface IBusSubscription : IDisposable
{
    /// <summary>
    /// Messages in publish order. The reader completes when the subscriber fell too far behind
    /// (<see cref="Overflowed"/>) or the bus lost messages for it: re-read from the database then.
    /// </summary>
    ChannelReader<ReadOnlyMemory<byte>> Messages { get; }

    bool Overflowed { get; }
}

public static class EventBusExtensions
{
    /// <summary>Publishes stored events to their job's and their document's channel.</summary>
    public static async ValueTask PublishEventsAsync(this IEventBus bus, IReadOnlyList<JobEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var jobEvent in events)
        {
            var payload = jobEvent.ToUtf8Json();
            await bus.PublishAsync(BusChannels.Job(jobEvent.JobId), payload, cancellationToken);
            await bus.PublishAsync(BusChannels.Document(jobEvent.DocumentId), payload, cancellationToken);
        }
    }
}
