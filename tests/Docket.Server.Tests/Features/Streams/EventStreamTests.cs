using System.Globalization;
using System.Net;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Streams;

/// <summary>
/// The SSE endpoints. Each test holds its job at a gate stage, so what is live, what is replayed
/// and what was missed does not depend on how fast the worker happens to be.
/// </summary>
public abstract class EventStreamTests
{
    protected abstract TestDatabase Database { get; }

    private static readonly string[] PayloadFields = ["id", "job_id", "document_id", "event", "stage", "progress", "message", "timestamp"];

    /// <summary>The default stages with <paramref name="gates"/> inserted before the stage at each index.</summary>
    private DocketFactory ServerWith(Dictionary<int, GateStage> gates, Dictionary<string, string?>? settings = null)
    {
        var stages = new List<IPipelineStage>();
        var defaults = DefaultPipeline.CreateStages();
        for (var i = 0; i < defaults.Count; i++)
        {
            if (gates.TryGetValue(i, out var gate)) stages.Add(gate);
            stages.Add(defaults[i]);
        }
        return DocketFactory.Create(settings, stages, Database);
    }

    [Theory]
    [InlineData("documents")]
    [InlineData("jobs")]
    public async Task AStream_StartsWithTheState_CarriesEveryLaterEventWithItsId_AndClosesAfterJobCompleted(string resource)
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var server = ServerWith(new() { [1] = gate });
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("streamed.txt", "A memo to watch being processed, live.");
        Assert.Equal(documentId, await gate.ArrivalAsync());
        var streamId = resource == "documents" ? documentId : jobId;

        await using var stream = await EventStream.OpenAsync(client, $"/api/v1/{resource}/{streamId}/stream");
        var state = await stream.ReadFrameAsync();
        gate.Release();
        var frames = await stream.ReadToEndAsync();

        Assert.NotNull(state);
        Assert.Equal("state", state.Event);
        Assert.Equal(streamId, state.Json.Guid("id"));
        if (resource == "documents") Assert.Equal("processing", state.Json.Str("status"));
        else Assert.Equal("running", state.Json.Str("state"));

        var events = frames.Where(f => !f.IsCommentOnly).ToList();
        Assert.NotEmpty(events);
        foreach (var frame in events)
        {
            Assert.Null(frame.Event);
            var data = frame.Json;
            Assert.Equal(PayloadFields, data.EnumerateObject().Select(p => p.Name));
            Assert.Equal(frame.Id, data.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
            Assert.Equal(jobId, data.Guid("job_id"));
            Assert.Equal(documentId, data.Guid("document_id"));
            Assert.InRange(data.Int("progress"), 0, 100);
            Assert.False(string.IsNullOrEmpty(data.Str("message")));
            DateTimeOffset.Parse(data.Str("timestamp"), CultureInfo.InvariantCulture);
        }
        Assert.Equal("job_completed", events[^1].Json.Str("event"));

        // What the stream carried is exactly the stored history from its first event on.
        var history = await client.JobEventsAsync(jobId);
        var firstId = events[0].Json.GetProperty("id").GetInt64();
        Assert.Equal(
            history.Where(e => e.GetProperty("id").GetInt64() >= firstId).Select(e => e.GetRawText()),
            events.Select(e => e.Json.GetRawText()));
        Assert.Contains(events, e => e.Json.Str("event") == "document_parsing_completed");
    }

    [Fact]
    public async Task AClientThatReconnectsWithLastEventId_GetsExactlyTheHistory_NothingMissingNothingTwice()
    {
        var first = new GateStage("first", PipelinePhase.Parsing);
        var second = new GateStage("second", PipelinePhase.Analysis);
        // extract | first | analyse | second | categorise: parsing_completed and analysis_started fall between the gates.
        await using var server = ServerWith(new() { [1] = first, [2] = second });
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("resume.txt", "A report whose progress is watched over a flaky connection.");
        Assert.Equal(documentId, await first.ArrivalAsync());

        // First connection: from the beginning (the history so far is replayed), then live after the first gate opens.
        var seenFirst = new List<JsonElement>();
        await using (var stream = await EventStream.OpenAsync(client, $"/api/v1/jobs/{jobId}/stream", lastEventId: 0))
        {
            Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
            var released = false;
            while (seenFirst.Count < 4 || seenFirst[^1].Str("event") != "document_parsing_completed")
            {
                var frame = await stream.ReadFrameAsync();
                Assert.NotNull(frame);
                if (frame.IsCommentOnly) continue;
                seenFirst.Add(frame.Json);
                if (!released && frame.Json.Str("event") == "document_parsing_started")
                {
                    first.Release();
                    released = true;
                }
            }
        }
        // Dropped. The job moves on to the second gate while nobody listens.
        Assert.Equal(documentId, await second.ArrivalAsync());

        var lastSeen = seenFirst[^1].GetProperty("id").GetInt64();
        var seenSecond = new List<JsonElement>();
        await using (var stream = await EventStream.OpenAsync(client, $"/api/v1/jobs/{jobId}/stream", lastEventId: lastSeen))
        {
            Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
            // What was missed arrives (replayed from the table), then the rest live once the second gate opens.
            var missed = await stream.ReadUntilAsync(f => !f.IsCommentOnly);
            seenSecond.Add(missed[^1].Json);
            second.Release();
            seenSecond.AddRange((await stream.ReadToEndAsync()).Where(f => !f.IsCommentOnly).Select(f => f.Json));
        }

        Assert.Equal("analysis_started", seenSecond[0].Str("event"));
        Assert.Equal("job_completed", seenSecond[^1].Str("event"));
        var union = seenFirst.Concat(seenSecond).ToList();
        var ids = union.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.True(ids.Zip(ids.Skip(1)).All(p => p.First < p.Second), $"ids are not strictly increasing: {string.Join(", ", ids)}");
        var history = await client.JobEventsAsync(jobId);
        Assert.Equal(history.Select(e => e.GetRawText()), union.Select(e => e.GetRawText()));
        Assert.Equal(
            ["job_queued", "job_started", "document_parsing_started", "document_parsing_completed", "analysis_started",
             "analysis_completed", "field_extraction_started", "field_extraction_completed", "job_completed"],
            union.Select(e => e.Str("event")));
    }

    [Fact]
    public async Task AQuietStream_SendsKeepAliveComments_WhileTheJobWaits()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var server = ServerWith(new() { [1] = gate },
            new() { ["Streams:KeepAliveInterval"] = "00:00:00.200" });
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("quiet.txt", "Nothing happens for a while.");
        Assert.Equal(documentId, await gate.ArrivalAsync());

        await using var stream = await EventStream.OpenAsync(client, $"/api/v1/jobs/{jobId}/stream");
        Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
        var untilKeepAlive = await stream.ReadUntilAsync(f => f.IsCommentOnly);
        gate.Release();
        var rest = await stream.ReadToEndAsync();

        Assert.Equal("keep-alive", Assert.Single(untilKeepAlive[^1].Comments));
        Assert.Equal("job_completed", rest.Last(f => !f.IsCommentOnly).Json.Str("event"));
    }

    [Fact]
    public async Task AFailedJob_ShowsOnTheStream_AndCanBeRetriedAsANewJob()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var server = ServerWith(new() { [0] = gate });
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("broken.json", """{"a": [1, 2""");
        Assert.Equal(documentId, await gate.ArrivalAsync());

        // Only a failed or cancelled job can be retried; this one is running.
        using (var early = await client.PostAsync($"/api/v1/jobs/{jobId}/retry", null))
            await early.AssertErrorAsync(HttpStatusCode.Conflict, "not_retryable");

        await using (var stream = await EventStream.OpenAsync(client, $"/api/v1/documents/{documentId}/stream"))
        {
            Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
            gate.Release();
            var last = (await stream.ReadToEndAsync()).Last(f => !f.IsCommentOnly).Json;
            Assert.Equal("job_failed", last.Str("event"));
            Assert.Equal(jobId, last.Guid("job_id"));
            Assert.False(string.IsNullOrWhiteSpace(last.StrOrNull("error")), last.ToString());
        }

        var failed = await client.GetJsonAsync($"/api/v1/documents/{documentId}");
        Assert.Equal("failed", failed.Str("status"));
        Assert.False(string.IsNullOrWhiteSpace(failed.StrOrNull("failure_reason")));
        var failedJob = await client.GetJsonAsync($"/api/v1/jobs/{jobId}");
        Assert.Equal("failed", failedJob.Str("state"));
        Assert.False(string.IsNullOrWhiteSpace(failedJob.StrOrNull("last_error")));

        var retried = await client.PostJsonAsync($"/api/v1/jobs/{jobId}/retry", null, HttpStatusCode.Accepted);

        var newJobId = retried.Guid("job_id");
        Assert.NotEqual(jobId, newJobId);
        Assert.Equal(jobId, retried.Guid("retry_of"));
        Assert.Equal(documentId, await gate.ArrivalAsync());
        var again = await client.GetJsonAsync($"/api/v1/documents/{documentId}/status");
        Assert.Equal("processing", again.Str("status"));
        Assert.Equal(newJobId, again.Guid("current_job_id"));
        Assert.Null(again.StrOrNull("failure_reason"));
        Assert.Equal("job_queued", (await client.JobEventsAsync(newJobId))[0].Str("event"));

        gate.Release();
        await client.WaitForDocumentAsync(documentId, "failed");
        Assert.Equal("failed", (await client.GetJsonAsync($"/api/v1/jobs/{newJobId}")).Str("state"));
    }
}

/// <summary><see cref="EventStreamTests"/> on SQLite.</summary>
public sealed class EventStreamTestsOnSqlite : EventStreamTests
{
    protected override TestDatabase Database => TestDatabase.Sqlite;
}

/// <summary><see cref="EventStreamTests"/> on PostgreSQL.</summary>
public sealed class EventStreamTestsOnPostgres : EventStreamTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
