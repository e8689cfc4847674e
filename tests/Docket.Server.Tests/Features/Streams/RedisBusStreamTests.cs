using System.Net;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Data.Events;
using Docket.Data.Redis;
using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Streams;

/// <summary>The server as deployed with Bus:Provider=redis, against the test run's Redis (DOCKET_TEST_REDIS).</summary>
public class RedisBusStreamTests
{
    [Fact]
    public async Task WithTheRedisBus_AStreamCarriesTheJobLive_AndReadinessChecksRedis()
    {
        var redis = Environment.GetEnvironmentVariable("DOCKET_TEST_REDIS");
        Assert.False(string.IsNullOrWhiteSpace(redis),
            "DOCKET_TEST_REDIS is not set: run the tests with `make test`, or first `source scripts/test-services.sh start`.");
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        var stages = new List<IPipelineStage>(DefaultPipeline.CreateStages());
        stages.Insert(1, gate);
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Bus:Provider"] = "redis", ["Bus:Redis"] = redis }, stages);
        var client = server.CreateAuthenticatedClient();
        var bus = Assert.IsType<RedisEventBus>(server.Services.GetRequiredService<IEventBus>());
        await bus.ConnectedAsync().WaitAsync(TimeSpan.FromSeconds(10));

        var (documentId, jobId) = await client.UploadTextAsync("redis.txt", "A memo carried over Redis.");
        Assert.Equal(documentId, await gate.ArrivalAsync());
        await using var stream = await EventStream.OpenAsync(client, $"/api/v1/documents/{documentId}/stream");
        var state = await stream.ReadFrameAsync();
        gate.Release();
        // Events after the gate exist only live: the stream replays from the table only at its start or when the bus cuts it loose.
        var events = (await stream.ReadToEndAsync()).Where(f => !f.IsCommentOnly).ToList();

        Assert.Equal("state", state!.Event);
        Assert.Equal("job_completed", events[^1].Json.Str("event"));
        Assert.Contains(events, e => e.Json.Str("event") == "document_parsing_completed");
        Assert.All(events, e => Assert.Equal(jobId, e.Json.Guid("job_id")));
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal("ready", ready.Str("status"));
        Assert.True(bus.IsConnected);
    }
}
