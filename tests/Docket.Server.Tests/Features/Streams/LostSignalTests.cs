using System.Threading.Channels;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Data.Events;
using Docket.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Docket.Server.Tests.Features.Streams;

/// <summary>DESIGN: losing a signal delays, never loses. A live stream finds stored events even when no signal comes.</summary>
public class LostSignalTests
{
    [Fact]
    public async Task ALiveStream_StillEndsWithJobCompleted_WhenTheBusLosesEverySignal()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var factory = DocketFactory.Create(
            new Dictionary<string, string?> { ["Streams:KeepAliveInterval"] = "00:00:00.200" },
            [gate, .. DefaultPipeline.CreateStages()]);
        await using var server = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IEventBus>();
            services.AddSingleton<IEventBus, SilentBus>();
        }));
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("quiet.txt", "A report nobody will be told about.");
        Assert.Equal(documentId, await gate.ArrivalAsync());

        await using var stream = await EventStream.OpenAsync(client, $"/api/v1/jobs/{jobId}/stream");
        Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
        gate.Release();
        var frames = await stream.ReadToEndAsync();

        var events = frames.Where(f => !f.IsCommentOnly).Select(f => f.Json.Str("event")).ToList();
        Assert.Equal("job_completed", events[^1]);
        Assert.Contains("document_parsing_completed", events);
    }

    /// <summary>A bus that accepts every message and delivers none: the worst a real bus can do.</summary>
    private sealed class SilentBus : IEventBus
    {
        public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
            ValueTask.CompletedTask;

        public IBusSubscription Subscribe(string channel) => new Silence();

        public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

        private sealed class Silence : IBusSubscription
        {
            private readonly Channel<ReadOnlyMemory<byte>> _channel = Channel.CreateUnbounded<ReadOnlyMemory<byte>>();

            public ChannelReader<ReadOnlyMemory<byte>> Messages => _channel.Reader;

            public bool Overflowed => false;

            public void Dispose() => _channel.Writer.TryComplete();
        }
    }
}
