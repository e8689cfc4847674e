using Docket.Server.Features.Accounts;
using System.Net;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Data.Model;
using Docket.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Admin;

public sealed class OperationsApiTests
{
    [Fact]
    public async Task Workers_ShowTheirHeartbeatSlotsAndTheJobTheyRunNow()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var factory = DocketFactory.Create(new Dictionary<string, string?> { ["Queue:Concurrency"] = "3" },
            stages: gate.AfterExtraction());
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (documentId, jobId) = await client.UploadTextAsync("held.txt", "Held at the gate for a while.");
        await gate.ArrivalAsync();

        var workers = await client.GetJsonAsync("/api/v1/admin/workers");
        var worker = Assert.Single(workers.EnumerateArray());
        Assert.True(worker.GetProperty("alive").GetBoolean());
        Assert.Equal(3, worker.Int("slots"));
        Assert.Equal(Environment.ProcessId, worker.Int("process_id"));
        Assert.True(worker.GetProperty("last_heartbeat_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        var current = Assert.Single(worker.GetProperty("current_jobs").EnumerateArray());
        Assert.Equal(jobId, current.Guid("job_id"));
        Assert.Equal(documentId, current.Guid("document_id"));
        Assert.Equal(1, worker.Int("running_jobs"));

        var stats = await client.GetJsonAsync("/api/v1/admin/stats");
        Assert.Equal(worker.Str("worker_id"), Assert.Single(stats.GetProperty("workers").EnumerateArray()).Str("worker_id"));
        gate.Open();
    }

    [Fact]
    public async Task Stats_CountWhatFinishedInTheLastMinutes()
    {
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        for (var i = 0; i < 3; i++) await client.ProcessedTextAsync($"report-{i}.txt", $"Report number {i}.");
        var bad = await client.UploadTextAsync("broken.json", "{");
        await client.WaitForDocumentAsync(bad.DocumentId, "failed");

        var stats = await client.GetJsonAsync("/api/v1/admin/stats");
        foreach (var window in new[] { "last_minute", "last5_minutes", "last15_minutes" })
        {
            Assert.Equal(3, stats.GetProperty("succeeded").Int(window));
            Assert.Equal(1, stats.GetProperty("failed").Int(window));
        }
        Assert.Equal(1, stats.Int("dead_letters"));
        Assert.Equal(0, stats.Int("queue_depth"));
    }

    [Fact]
    public async Task DeadLetters_CanBeRequeuedManyAtOnce_ByErrorOrById_AndEachRefusalIsNamed()
    {
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var broken = new List<(Guid DocumentId, Guid JobId)>();
        for (var i = 0; i < 3; i++) broken.Add(await client.UploadTextAsync($"broken-{i}.json", "{\"total\": "));
        var unsupported = await client.UploadTextAsync("empty-ish.csv", "\"unterminated");
        foreach (var (documentId, _) in broken) await client.WaitForDocumentAsync(documentId, "failed");
        await client.WaitForDocumentAsync(unsupported.DocumentId, "failed", "processed");

        var filtered = await client.GetJsonAsync("/api/v1/admin/failed-jobs?error=JSON");
        Assert.Equal(3, filtered.Int("total"));

        var byError = await client.PostJsonAsync("/api/v1/admin/failed-jobs/requeue", new { error = "json" }, HttpStatusCode.OK);
        Assert.Equal(broken.Select(b => b.JobId).Order(), byError.GetProperty("requeued").EnumerateArray().Select(r => r.Guid("requeued_from")).Order());
        Assert.Empty(byError.GetProperty("refused").EnumerateArray());
        var newJobs = byError.GetProperty("requeued").EnumerateArray().Select(r => r.Guid("job_id")).ToList();
        foreach (var job in newJobs) await client.WaitForJobStateAsync(job, "failed");

        var unknown = Guid.NewGuid();
        var byId = await client.PostJsonAsync("/api/v1/admin/failed-jobs/requeue",
            new { job_ids = new[] { newJobs[0], broken[1].JobId, unknown } }, HttpStatusCode.OK);
        Assert.Equal(newJobs[0], Assert.Single(byId.GetProperty("requeued").EnumerateArray()).Guid("requeued_from"));
        var refused = byId.GetProperty("refused").EnumerateArray().ToDictionary(r => r.Guid("job_id"), r => r.Str("code"));
        Assert.Equal("not_retryable", refused[broken[1].JobId]);
        Assert.Equal("not_found", refused[unknown]);

        using var neither = await client.PostAsync("/api/v1/admin/failed-jobs/requeue", System.Net.Http.Json.JsonContent.Create(new { }));
        await neither.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task ReprocessFromAStage_RunsOnlyThatStageAndThoseAfter_ReusingWhatTheEarlierOnesMade(TestDatabase database)
    {
        var counted = DefaultPipeline.CreateStages().Select(stage => new CountingStage(stage)).ToList();
        await using var factory = DocketFactory.Create(stages: counted, database: database);
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (id, _) = await client.UploadOneAsync("sample-invoice.csv", Samples.Read("sample-invoice.csv"));
        await client.WaitForDocumentAsync(id, "processed");
        var before = await client.GetJsonAsync($"/api/v1/documents/{id}/result");

        var pipeline = await client.GetJsonAsync("/api/v1/admin/pipeline");
        Assert.Equal(["extract", "analyse", "categorise", "fields"], pipeline.GetProperty("stages").EnumerateArray().Select(s => s.Str("name")));
        var accepted = await client.PostJsonAsync($"/api/v1/admin/documents/{id}/reprocess", new { from_stage = "categorise" }, HttpStatusCode.Accepted);
        Assert.Equal(["extract", "analyse"], accepted.GetProperty("reused_stages").EnumerateArray().Select(s => s.GetString()));
        var jobId = accepted.Guid("job_id");
        Assert.Equal("categorise", (await client.GetJsonAsync($"/api/v1/jobs/{jobId}")).Str("start_stage"));
        await client.WaitForJobStateAsync(jobId, "succeeded");

        Assert.Equal([1, 1, 2, 2], counted.Select(c => c.Runs));
        var events = await client.JobEventsAsync(jobId);
        Assert.DoesNotContain(events, e => e.Str("event") == "document_parsing_started");
        Assert.Contains(events, e => e.Str("event") == "analysis_started" && e.Str("stage") == "categorise");
        var after = await client.GetJsonAsync($"/api/v1/documents/{id}/result");
        Assert.Equal(2, after.GetProperty("result").Int("version"));
        Assert.Equal(before.Str("text"), after.Str("text"));
        Assert.Equal(before.GetProperty("result").GetProperty("data").GetRawText(), after.GetProperty("result").GetProperty("data").GetRawText());

        // From the first stage is a full run; it needs nothing stored.
        var full = await client.PostJsonAsync($"/api/v1/admin/documents/{id}/reprocess", new { from_stage = "extract" }, HttpStatusCode.Accepted);
        await client.WaitForJobStateAsync(full.Guid("job_id"), "succeeded");
        Assert.Equal([2, 2, 3, 3], counted.Select(c => c.Runs));
    }

    [Fact]
    public async Task ReprocessFromAStage_IsRefused_WhenTheEarlierOutputsWereNotKept_OrTheStageIsUnknown()
    {
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (id, _) = await client.ProcessedTextAsync("report.txt", "A report written before stage outputs were kept.");
        await using (var scope = factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<DocketDbContext>().Results.ExecuteUpdateAsync(set => set.SetProperty(r => r.Stages, (string?)null));

        using var missing = await client.PostAsync($"/api/v1/admin/documents/{id}/reprocess",
            System.Net.Http.Json.JsonContent.Create(new { from_stage = "fields" }));
        var error = await missing.AssertErrorAsync(HttpStatusCode.Conflict, "stage_outputs_missing");
        Assert.Equal("extract", error.GetProperty("details").Str("missing_stage"));

        using var unknown = await client.PostAsync($"/api/v1/admin/documents/{id}/reprocess",
            System.Net.Http.Json.JsonContent.Create(new { from_stage = "ocr-magic" }));
        await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_stage");

        using var nowhere = await client.PostAsync($"/api/v1/admin/documents/{Guid.NewGuid()}/reprocess",
            System.Net.Http.Json.JsonContent.Create(new { from_stage = "fields" }));
        await nowhere.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task TheOperationsApi_IsForAdministratorsOnly()
    {
        await using var factory = new DocketFactory();
        var user = factory.CreateAuthenticatedClient(Roles.User);
        var reviewer = factory.CreateAuthenticatedClient(Roles.Reviewer);
        var (id, _) = await user.ProcessedTextAsync("mine.txt", "My own document.");
        foreach (var client in new[] { user, reviewer })
        {
            using (var workers = await client.GetAsync("/api/v1/admin/workers"))
                await workers.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
            using var reprocess = await client.PostAsync($"/api/v1/admin/documents/{id}/reprocess",
                System.Net.Http.Json.JsonContent.Create(new { from_stage = "fields" }));
            await reprocess.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using var anonymous = await factory.CreateClient().GetAsync("/api/v1/admin/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private sealed class CountingStage(IPipelineStage inner) : IPipelineStage
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public string Name => inner.Name;

        public PipelinePhase Phase => inner.Phase;

        public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            return inner.RunAsync(context, cancellationToken);
        }
    }
}
