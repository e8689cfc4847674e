using Docket.Server.Features.Accounts;
using System.Net;
using Docket.Core.Pipeline;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Observability;

/// <summary>GET /metrics of a real server, read with a strict parser of the Prometheus text format.</summary>
public sealed class MetricsEndpointTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task Metrics_CountJobsStagesAndRequests_AsDocumentsGoThrough(TestDatabase database)
    {
        await using var factory = DocketFactory.Create(database: database);
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var before = await ScrapeAsync(client);

        var good = await client.UploadTextAsync("report.txt", "Quarterly report\n\nRevenue grew by four percent in the third quarter.");
        var bad = await client.UploadTextAsync("broken.json", "{\"unterminated\": ");
        await client.WaitForDocumentAsync(good.DocumentId, "processed");
        await client.WaitForDocumentAsync(bad.DocumentId, "failed");

        // ASP.NET Core counts a request once its response has gone out, so the client can read the last status
        // poll's answer before the server has counted it.
        var after = await Wait.UntilAsync(() => ScrapeAsync(client),
            scrape => scrape.Value("http_server_request_duration_seconds_count", ("http_route", "/api/v1/documents/{id:guid}/status")) >= 2,
            "both status polls to be counted");
        Assert.Equal(2, Delta(before, after, "docket_jobs_created_total"));
        Assert.Equal(1, Delta(before, after, "docket_jobs_succeeded_total"));
        Assert.Equal(1, Delta(before, after, "docket_jobs_failed_total", ("reason", "unprocessable")));
        Assert.Equal(0, Delta(before, after, "docket_jobs_retried_total"));
        Assert.Equal(1, Delta(before, after, "docket_job_duration_seconds_count", ("outcome", "succeeded")));
        Assert.Equal(1, Delta(before, after, "docket_job_duration_seconds_count", ("outcome", "failed")));
        foreach (var stage in new[] { "extract", "analyse", "categorise", "fields" })
            Assert.Equal(1, Delta(before, after, "docket_stage_duration_seconds_count", ("stage", stage), ("outcome", "completed")));
        Assert.Equal(1, Delta(before, after, "docket_stage_duration_seconds_count", ("stage", "extract"), ("outcome", "failed")));
        Assert.Equal(2, Delta(before, after, "http_server_request_duration_seconds_count",
            ("http_route", "/api/v1/documents/"), ("http_response_status_code", "201")));
        Assert.Equal(1, after.Value("docket_dead_letters"));
        Assert.Equal(0, after.Value("docket_queue_jobs", ("state", "queued")));
        Assert.Equal(0, after.Value("docket_queue_oldest_age_seconds"));
    }

    [Fact]
    public async Task Metrics_ShowOpenStreamsRunningJobsAndTheOldestWaitingJob()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var factory = DocketFactory.Create(new Dictionary<string, string?> { ["Queue:Concurrency"] = "1" },
            stages: gate.AfterExtraction());
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var held = await client.UploadTextAsync("held.txt", "first");
        await gate.ArrivalAsync();
        await client.UploadTextAsync("waiting.txt", "second");

        using var stream = await client.GetAsync($"/api/v1/documents/{held.DocumentId}/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        await Task.Delay(1100); // the queue gauges are read at most once a second
        var during = await ScrapeAsync(client);
        Assert.Equal(1, during.Value("docket_sse_streams"));
        Assert.Equal(1, during.Value("docket_queue_jobs", ("state", "running")));
        Assert.Equal(1, during.Value("docket_queue_jobs", ("state", "queued")));
        Assert.True(during.Value("docket_queue_oldest_age_seconds") >= 1, "the second job has waited over a second");

        gate.Open();
        await client.WaitForDocumentAsync(held.DocumentId, "processed");
        await using (var body = await stream.Content.ReadAsStreamAsync()) await body.CopyToAsync(Stream.Null);
        await Wait.UntilAsync(() => ScrapeAsync(client), m => m.Value("docket_sse_streams") == 0, "the stream to be counted as closed");
    }

    [Fact]
    public async Task Metrics_CountPerFieldWhetherTheReviewerKeptOrCorrectedTheMachinesValue()
    {
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (id, _) = await client.UploadOneAsync("sample-invoice.csv", Samples.Read("sample-invoice.csv"));
        await client.WaitForDocumentAsync(id, "processed");
        var fields = (await client.GetJsonAsync($"/api/v1/documents/{id}/result")).GetProperty("result").GetProperty("fields").EnumerateObject()
            .Where(f => Docket.Core.Pipeline.FieldNames.All.Contains(f.Name)).Select(f => f.Name).ToList();
        Assert.Contains("total", fields);

        using (var edit = await client.PutReviewAsync(id, new { fields = new Dictionary<string, string?> { ["total"] = "123456.78" } },
                   await client.ETagAsync(id)))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);

        var metrics = await ScrapeAsync(client);
        Assert.Equal(1, metrics.Value("docket_review_fields_total", ("field", "total"), ("outcome", "corrected")));
        Assert.Equal(0, metrics.Value("docket_review_fields_total", ("field", "total"), ("outcome", "confirmed")));
        foreach (var field in fields.Where(f => f != "total"))
            Assert.Equal(1, metrics.Value("docket_review_fields_total", ("field", field), ("outcome", "confirmed")));
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels) =>
        after.Value(name, labels) - before.Value(name, labels);

    private static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }
}
