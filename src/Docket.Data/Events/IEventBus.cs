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
    /// <summary>Publishes stored events to their job's and their document's channel, then one <see cref="BusChannels.EventsStored"/> signal.</summary>
    /// <remarks>
    /// Every publish is enqueued before any is awaited. A network bus completes a publish only when
    /// the server answers; awaiting each before enqueuing the next would let another caller's events
    /// in between and reorder a channel (a stream then drops the older event as already seen).
    /// </remarks>
    public static ValueTask PublishEventsAsync(this IEventBus bus, IReadOnlyList<JobEvent> events, CancellationToken cancellationToken = default)
    {
        List<Task>? pending = null;
        foreach (var jobEvent in events)
        {
            var payload = jobEvent.ToUtf8Json();
            Track(bus.PublishAsync(BusChannels.Job(jobEvent.JobId), payload, cancellationToken), ref pending);
            Track(bus.PublishAsync(BusChannels.Document(jobEvent.DocumentId), payload, cancellationToken), ref pending);
        }
        if (events.Count > 0) Track(bus.PublishAsync(BusChannels.EventsStored, ReadOnlyMemory<byte>.Empty, cancellationToken), ref pending);
        return pending is null ? ValueTask.CompletedTask : new ValueTask(Task.WhenAll(pending));
    }

    private static void Track(ValueTask publish, ref List<Task>? pending)
    {
        if (publish.IsCompletedSuccessfully) return;
        (pending ??= []).Add(publish.AsTask());
    }
}
