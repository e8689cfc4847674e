using System.Net;
using Docket.Core.Pipeline;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Jobs;

/// <summary>A running job is cancelled at its next stage boundary, with the job held mid-pipeline by a gate stage.</summary>
public abstract class CancelRunningJobTests
{
    protected abstract TestDatabase Database { get; }

    [Fact]
    public async Task CancellingARunningJob_StopsItAtTheNextStageBoundary_AndItCanBeRetried()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var server = DocketFactory.Create(stages: gate.AfterExtraction(), database: Database);
        var client = server.CreateAuthenticatedClient();
        var (documentId, jobId) = await client.UploadTextAsync("cancel-me.txt", "A long report that nobody wants any more.");
        Assert.Equal(documentId, await gate.ArrivalAsync());

        var requested = await client.PostJsonAsync($"/api/v1/jobs/{jobId}/cancel", null, HttpStatusCode.Accepted);

        Assert.Equal("cancel_requested", requested.Str("outcome"));
        var running = await client.GetJsonAsync($"/api/v1/jobs/{jobId}");
        Assert.Equal("running", running.Str("state"));
        Assert.True(running.GetProperty("cancel_requested").GetBoolean());
        Assert.Equal("processing", (await client.GetJsonAsync($"/api/v1/documents/{documentId}/status")).Str("status"));

        await using (var stream = await EventStream.OpenAsync(client, $"/api/v1/jobs/{jobId}/stream"))
        {
            Assert.Equal("state", (await stream.ReadFrameAsync())?.Event);
            gate.Release();
            var last = (await stream.ReadToEndAsync()).Last(f => !f.IsCommentOnly).Json;
            Assert.Equal("job_cancelled", last.Str("event"));
        }

        Assert.Equal("cancelled", (await client.GetJsonAsync($"/api/v1/jobs/{jobId}")).Str("state"));
        Assert.Equal("cancelled", (await client.GetJsonAsync($"/api/v1/documents/{documentId}/status")).Str("status"));
        var events = (await client.JobEventsAsync(jobId)).Select(e => e.Str("event")).ToList();
        Assert.Equal("job_cancelled", events[^1]);
        Assert.DoesNotContain("analysis_started", events);
        Assert.DoesNotContain("job_completed", events);
        using (var result = await client.GetAsync($"/api/v1/documents/{documentId}/result"))
            await result.AssertErrorAsync(HttpStatusCode.Conflict, "no_result");
        using (var again = await client.PostAsync($"/api/v1/jobs/{jobId}/cancel", null))
            await again.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");

        var retried = await client.PostJsonAsync($"/api/v1/jobs/{jobId}/retry", null, HttpStatusCode.Accepted);
        var newJobId = retried.Guid("job_id");
        Assert.NotEqual(jobId, newJobId);
        gate.Open();
        await client.WaitForDocumentAsync(documentId, "processed");
        Assert.Equal("succeeded", (await client.GetJsonAsync($"/api/v1/jobs/{newJobId}")).Str("state"));
        var versions = (await client.GetJsonAsync($"/api/v1/documents/{documentId}/result")).GetProperty("versions");
        Assert.Equal(newJobId, Assert.Single(versions.EnumerateArray()).Guid("job_id"));
    }
}

/// <summary><see cref="CancelRunningJobTests"/> on SQLite.</summary>
public sealed class CancelRunningJobTestsOnSqlite : CancelRunningJobTests
{
    protected override TestDatabase Database => TestDatabase.Sqlite;
}

/// <summary><see cref="CancelRunningJobTests"/> on PostgreSQL.</summary>
public sealed class CancelRunningJobTestsOnPostgres : CancelRunningJobTests
{
    protected override TestDatabase Database => TestDatabase.Postgres;
}
