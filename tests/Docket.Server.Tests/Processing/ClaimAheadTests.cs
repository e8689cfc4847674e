using Docket.Core.Pipeline;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Processing;

public sealed class ClaimAheadTests
{
    [Fact]
    public async Task AJobClaimedAheadOfAFreeSlot_WaitsBehindALongOne_KeepsItsLease_AndRunsOnce()
    {
        var gate = new GateStage("hold", PipelinePhase.Parsing);
        await using var factory = DocketFactory.Create(new Dictionary<string, string?>
        {
            ["Queue:Concurrency"] = "1",
            ["Queue:Prefetch"] = "1",
            ["Queue:Lease"] = "00:00:01",
            ["Queue:Heartbeat"] = "00:00:00.200",
            ["Queue:RescueInterval"] = "00:00:00.200",
        }, stages: gate.AfterExtraction());
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        gate.Release();
        await client.ProcessedTextAsync("quick.txt", "a short one, so the slot has just turned over");

        // Both in one request, so both are queued when the worker next claims: one for its slot, one ahead.
        var uploaded = await client.UploadAsync(ApiClient.TextFile("long.txt", "held at the gate"), ApiClient.TextFile("next.txt", "claimed ahead"));
        await gate.ArrivalAsync();
        await gate.ArrivalAsync();
        var jobs = uploaded.Select(d => d.Guid("job_id")).ToArray();
        var running = await Task.WhenAll(jobs.Select(id => client.GetJsonAsync($"/api/v1/jobs/{id}")));
        Assert.All(running, job => Assert.Equal("running", job.GetProperty("state").GetString()));

        // Several leases long: a waiting job whose lease lapsed would be rescued and run a second attempt.
        await Task.Delay(TimeSpan.FromSeconds(3));
        gate.Open();
        foreach (var document in uploaded) await client.WaitForDocumentAsync(document.Guid("id"), "processed");

        foreach (var id in jobs)
        {
            var job = await client.GetJsonAsync($"/api/v1/jobs/{id}");
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(1, job.GetProperty("attempt").GetInt32());
            Assert.DoesNotContain(await client.JobEventsAsync(id), e => e.GetProperty("event").GetString() == "job_retrying");
        }
    }
}
