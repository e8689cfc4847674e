using Docket.Data.Events;

namespace Docket.Data.Tests.Events;

public sealed class EventBusExtensionsTests
{
    [Fact]
    public async Task PublishEvents_EnqueuesEveryMessageBeforeAwaitingAny_InOrder()
    {
        var bus = new SlowBus();
        var first = Event(1);
        var second = Event(2);

        var publishing = bus.PublishEventsAsync([first, second]).AsTask();

        // Nothing has been answered yet, and still all five messages are queued, in order, the change feed's wake-up last.
        Assert.Equal(
            [BusChannels.Job(first.JobId), BusChannels.Document(first.DocumentId), BusChannels.Job(second.JobId), BusChannels.Document(second.DocumentId),
                BusChannels.EventsStored],
            bus.Channels);
        Assert.False(publishing.IsCompleted);

        bus.Answer.SetResult();
        await publishing.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task PublishEvents_FailsWhenAPublishFails()
    {
        var bus = new SlowBus();
        var publishing = bus.PublishEventsAsync([Event(1)]).AsTask();

        bus.Answer.SetException(new InvalidOperationException("lost"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => publishing.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    private static JobEvent Event(long id) =>
        new(id, Guid.NewGuid(), Guid.NewGuid(), "job_started", null, 0, null, DateTimeOffset.UnixEpoch, null);

    /// <summary>Like a network bus: takes every message at once, answers later.</summary>
    private sealed class SlowBus : IEventBus
    {
        public List<string> Channels { get; } = [];

        public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            Channels.Add(channel);
            return new ValueTask(Answer.Task);
        }

        public IBusSubscription Subscribe(string channel) => throw new NotSupportedException();

        public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }
}
