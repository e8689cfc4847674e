using System.Threading.Channels;
using Docket.Data.Events;
using Docket.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Docket.Server.Tests.Processing;

public sealed class WorkerBusTests
{
    [Fact]
    public async Task AWorkerCutLooseFromTheWakeUpChannel_ListensAgain_AndStillWakesForNewJobs()
    {
        var bus = new CutFirstWakeUpSubscriptionBus();
        // A poll interval far beyond the test: only a wake-up signal can get the job claimed in time.
        await using var factory = new BusFactory(bus, new Dictionary<string, string?> { ["Queue:PollInterval"] = "00:10:00" });
        using var client = factory.CreateAuthenticatedClient();
        await bus.Cut.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var uploaded = await client.UploadTextAsync("note.txt", "A short note.");

        await Wait.UntilAsync(() => client.GetJsonAsync($"/api/v1/documents/{uploaded.DocumentId}/status"),
            status => status.Str("status") == "processed", "the job to be claimed on a wake-up", TimeSpan.FromSeconds(10));
        Assert.True(bus.WakeUpSubscriptions >= 2, $"{bus.WakeUpSubscriptions} subscriptions to {BusChannels.JobsAvailable}");
    }

    private sealed class BusFactory(IEventBus bus, IReadOnlyDictionary<string, string?> settings) : DocketFactory(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<IEventBus>();
                services.AddSingleton(bus);
            });
        }
    }

    /// <summary>The in-process bus, except that the first wake-up subscription is cut loose at once, as a lost Redis connection would.</summary>
    private sealed class CutFirstWakeUpSubscriptionBus : IEventBus
    {
        private readonly InProcessEventBus _inner = new();
        private int _wakeUpSubscriptions;

        public TaskCompletionSource Cut { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int WakeUpSubscriptions => Volatile.Read(ref _wakeUpSubscriptions);

        public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
            _inner.PublishAsync(channel, payload, cancellationToken);

        public IBusSubscription Subscribe(string channel)
        {
            if (channel == BusChannels.JobsAvailable && Interlocked.Increment(ref _wakeUpSubscriptions) == 1)
            {
                Cut.TrySetResult();
                return new CutSubscription();
            }
            return _inner.Subscribe(channel);
        }

        public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
    }

    private sealed class CutSubscription : IBusSubscription
    {
        private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateUnbounded<ReadOnlyMemory<byte>>();

        public CutSubscription() => _channel.Writer.Complete();

        public ChannelReader<ReadOnlyMemory<byte>> Messages => _channel.Reader;

        public bool Overflowed => false;

        public void Dispose()
        {
        }
    }
}
