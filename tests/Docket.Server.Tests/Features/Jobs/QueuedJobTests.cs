using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Jobs;

/// <summary>With no worker running, jobs stay queued, so what may happen to a queued job can be checked exactly.</summary>
public abstract class QueuedJobTests(NoWorkerFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    [Fact]
    public async Task CancellingAQueuedJob_CancelsItAtOnce_With200()
    {
        var (id, jobId) = await _client.UploadTextAsync("queued.txt", "Waiting for a worker that never comes.");

        var cancelled = await _client.PostJsonAsync($"/api/v1/jobs/{jobId}/cancel", null, HttpStatusCode.OK);

        Assert.Equal("cancelled", cancelled.Str("outcome"));
        Assert.Equal("cancelled", (await _client.GetJsonAsync($"/api/v1/jobs/{jobId}")).Str("state"));
        Assert.Equal("cancelled", (await _client.GetJsonAsync($"/api/v1/documents/{id}/status")).Str("status"));
        Assert.Equal(["job_queued", "job_cancelled"], (await _client.JobEventsAsync(jobId)).Select(e => e.Str("event")));

        // Cancelling a job that has ended is refused.
        using var again = await _client.PostAsync($"/api/v1/jobs/{jobId}/cancel", null);
        await again.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");
    }

    [Fact]
    public async Task RetryingACancelledJob_QueuesANewJobForTheDocument_With202()
    {
        var (id, jobId) = await _client.UploadTextAsync("retry-me.txt", "Cancelled once, then wanted after all.");
        await _client.PostJsonAsync($"/api/v1/jobs/{jobId}/cancel", null, HttpStatusCode.OK);

        var retried = await _client.PostJsonAsync($"/api/v1/jobs/{jobId}/retry", null, HttpStatusCode.Accepted);

        var newJobId = retried.Guid("job_id");
        Assert.NotEqual(jobId, newJobId);
        Assert.Equal(jobId, retried.Guid("retry_of"));
        Assert.Equal("queued", retried.Str("state"));
        var status = await _client.GetJsonAsync($"/api/v1/documents/{id}/status");
        Assert.Equal("queued", status.Str("status"));
        Assert.Equal(newJobId, status.Guid("current_job_id"));
        var newJob = await _client.GetJsonAsync($"/api/v1/jobs/{newJobId}");
        Assert.Equal("queued", newJob.Str("state"));
        Assert.Equal(jobId, newJob.Guid("retry_of"));
        Assert.Equal(["job_queued"], (await _client.JobEventsAsync(newJobId)).Select(e => e.Str("event")));

        // The old job is history now; only the newest job of a document can be retried.
        using var stale = await _client.PostAsync($"/api/v1/jobs/{jobId}/retry", null);
        await stale.AssertErrorAsync(HttpStatusCode.Conflict, "not_retryable");
    }

    [Fact]
    public async Task DecidingOnOrReviewingAQueuedDocument_IsRefusedWith409()
    {
        var (id, _) = await _client.UploadTextAsync("not-yet.txt", "Nobody has looked at this yet.");

        foreach (var action in new[] { "approve", "reject", "reprocess" })
        {
            using var response = await _client.PostAsync($"/api/v1/review/{id}/{action}", null);
            await response.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");
        }
        using (var finalize = await _client.PostAsync($"/api/v1/documents/{id}/finalize", null))
            await finalize.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");
        using (var review = await _client.PutReviewAsync(id, new { fields = new Dictionary<string, string?>() }, await _client.ETagAsync(id)))
            await review.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_state");

        Assert.Equal("queued", (await _client.GetJsonAsync($"/api/v1/documents/{id}/status")).Str("status"));
    }
}

/// <summary><see cref="QueuedJobTests"/> on SQLite.</summary>
public sealed class QueuedJobTestsOnSqlite(NoWorkerFactory fixture) : QueuedJobTests(fixture), IClassFixture<NoWorkerFactory>;

/// <summary><see cref="QueuedJobTests"/> on PostgreSQL.</summary>
public sealed class QueuedJobTestsOnPostgres(PostgresNoWorkerFactory fixture) : QueuedJobTests(fixture), IClassFixture<PostgresNoWorkerFactory>;
