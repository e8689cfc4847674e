using System.Text;
using Docket.Data.Events;

namespace Docket.Data.Tests.Events;

/// <summary>
/// The behaviour every <see cref="IEventBus"/> must have. Delivery may be asynchronous (Redis), so
/// the tests wait for messages with a timeout and never assume a publish has arrived when it returns.
/// </summary>
public abstract class EventBusConformance : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly List<IEventBus> _buses = [];

    /// <summary>A bus that nothing else uses; every subscription may buffer at most <paramref name="subscriberCapacity"/> messages.</summary>
    protected abstract Task<IEventBus> CreateBusAsync(int subscriberCapacity);

    protected virtual async Task DisposeBusAsync(IEventBus bus)
    {
        switch (bus)
        {
            case IAsyncDisposable asyncDisposable: await asyncDisposable.DisposeAsync(); break;
            case IDisposable disposable: disposable.Dispose(); break;
        }
    }

    /// <summary>Waits until subscriptions made so far receive messages (a network bus subscribes asynchronously).</summary>
    protected virtual Task SubscriptionsReadyAsync(IEventBus bus) => Task.CompletedTask;

    /// <summary>Channel names unique to the test, so a shared server (Redis) never mixes runs.</summary>
    protected string Channel(string name) => $"test:{_run:N}:{name}";

    private readonly Guid _run = Guid.NewGuid();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var bus in _buses) await DisposeBusAsync(bus);
    }

    [Fact]
    public async Task Publish_ReachesEverySubscriberOfTheChannel_AndNoOther()
    {
        var bus = await NewBusAsync();
        using var first = bus.Subscribe(Channel("a"));
        using var second = bus.Subscribe(Channel("a"));
        using var other = bus.Subscribe(Channel("b"));
        await SubscriptionsReadyAsync(bus);

        await bus.PublishAsync(Channel("a"), Text("for a"));
        await bus.PublishAsync(Channel("b"), Text("for b"));

        Assert.Equal("for a", await ReceiveAsync(first));
        Assert.Equal("for a", await ReceiveAsync(second));
        // Had "for a" leaked to b, it would arrive before "for b".
        Assert.Equal("for b", await ReceiveAsync(other));
        Assert.False(first.Messages.TryRead(out _));
        Assert.False(second.Messages.TryRead(out _));
    }

    [Fact]
    public async Task Publish_ToAChannelWithoutSubscribers_DoesNothing()
    {
        var bus = await NewBusAsync();

        await bus.PublishAsync(Channel("nobody"), Text("lost"));

        using var late = bus.Subscribe(Channel("nobody"));
        await SubscriptionsReadyAsync(bus);
        await bus.PublishAsync(Channel("nobody"), Text("heard"));
        Assert.Equal("heard", await ReceiveAsync(late));
    }

    [Fact]
    public async Task Publish_KeepsTheOrderOfMessages_PerChannel()
    {
        var bus = await NewBusAsync();
        using var a = bus.Subscribe(Channel("a"));
        using var b = bus.Subscribe(Channel("b"));
        await SubscriptionsReadyAsync(bus);

        for (var i = 0; i < 100; i++)
        {
            await bus.PublishAsync(Channel("a"), Text($"a{i}"));
            await bus.PublishAsync(Channel("b"), Text($"b{i}"));
        }

        for (var i = 0; i < 100; i++) Assert.Equal($"a{i}", await ReceiveAsync(a));
        for (var i = 0; i < 100; i++) Assert.Equal($"b{i}", await ReceiveAsync(b));
    }

    [Fact]
    public async Task Dispose_Unsubscribes_AndCompletesTheReader()
    {
        var bus = await NewBusAsync();
        var leaving = bus.Subscribe(Channel("a"));
        using var staying = bus.Subscribe(Channel("a"));
        await SubscriptionsReadyAsync(bus);

        leaving.Dispose();
        await bus.PublishAsync(Channel("a"), Text("after"));

        Assert.Equal("after", await ReceiveAsync(staying));
        await leaving.Messages.Completion.WaitAsync(Patience);
        Assert.False(leaving.Messages.TryRead(out _));
        Assert.False(leaving.Overflowed);
    }

    [Fact]
    public async Task ASubscriberThatDoesNotRead_IsCutLoose_WithoutBlockingThePublisherOrOthers()
    {
        const int capacity = 4;
        var bus = await NewBusAsync(capacity);
        using var stuck = bus.Subscribe(Channel("a"));
        using var reading = bus.Subscribe(Channel("a"));
        await SubscriptionsReadyAsync(bus);

        for (var i = 0; i < 50; i++)
        {
            await bus.PublishAsync(Channel("a"), Text($"m{i}")).AsTask().WaitAsync(Patience);
            Assert.Equal($"m{i}", await ReceiveAsync(reading));
        }

        Assert.True(stuck.Overflowed);
        Assert.False(reading.Overflowed);
        // What was buffered before the cut is still readable, then the reader completes.
        var buffered = new List<string>();
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var message in stuck.Messages.ReadAllAsync(timeout.Token))
            buffered.Add(Encoding.UTF8.GetString(message.Span));
        Assert.True(buffered.Count <= capacity, $"{buffered.Count} messages were buffered for a subscriber with capacity {capacity}");
        Assert.Equal(Enumerable.Range(0, buffered.Count).Select(i => $"m{i}"), buffered);
        Assert.True(stuck.Messages.Completion.IsCompleted);
    }

    [Fact]
    public async Task IsHealthy_IsTrue_ForAWorkingBus()
    {
        var bus = await NewBusAsync();

        Assert.True(await bus.IsHealthyAsync(CancellationToken.None));
    }

    private async Task<IEventBus> NewBusAsync(int subscriberCapacity = 1024)
    {
        var bus = await CreateBusAsync(subscriberCapacity);
        _buses.Add(bus);
        return bus;
    }

    private static ReadOnlyMemory<byte> Text(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<string> ReceiveAsync(IBusSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var message = await subscription.Messages.ReadAsync(timeout.Token);
        return Encoding.UTF8.GetString(message.Span);
    }
}
