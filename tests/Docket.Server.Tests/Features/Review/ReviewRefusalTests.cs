using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Review;

/// <summary>Moves the state machines forbid, and edits that are stale or invalid, are refused and change nothing.</summary>
public abstract class ReviewRefusalTests(DocketFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    [Fact]
    public async Task ApprovingAFailedDocument_IsRefusedWith409()
    {
        var (id, _) = await _client.UploadTextAsync("broken.json", """{"a": [1, 2""");
        await _client.WaitForDocumentAsync(id, "failed");

        using var response = await _client.PostAsync($"/api/v1/review/{id}/approve", null);

        var error = await response.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");
        Assert.Equal("failed", error.GetProperty("details").Str("status"));
        Assert.Equal("failed", (await _client.GetJsonAsync($"/api/v1/documents/{id}/status")).Str("status"));
    }

    [Fact]
    public async Task RejectingOrReprocessingAFinalisedDocument_IsRefusedWith409()
    {
        var (id, _) = await _client.ProcessedTextAsync("final.txt", "Quarterly memo: the office moves in June.");
        await _client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);

        using (var reject = await _client.PostAsync($"/api/v1/review/{id}/reject", null))
            await reject.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");
        using (var reprocess = await _client.PostAsync($"/api/v1/review/{id}/reprocess", null))
            await reprocess.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");

        var detail = await _client.GetJsonAsync($"/api/v1/documents/{id}");
        Assert.Equal("finalized", detail.Str("status"));
        Assert.Single((await _client.GetJsonAsync($"/api/v1/jobs?document_id={id}")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ApprovingTheSameDocumentConcurrently_FinalisesItOnce_AndTellsTheOthersItWasAlreadyFinalised()
    {
        var (id, _) = await _client.ProcessedTextAsync("twice.txt", "Two reviewers click approve at the same moment.");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.PostAsync($"/api/v1/review/{id}/approve", null)));

        var outcomes = new List<string>();
        foreach (var response in responses)
            using (response)
                outcomes.Add((await response.ReadJsonAsync(HttpStatusCode.OK)).Str("outcome"));
        Assert.Single(outcomes, "finalized");
        Assert.All(outcomes.Where(o => o != "finalized"), o => Assert.Equal("already_finalized", o));
    }

    [Fact]
    public async Task RetryingOrCancellingASucceededJob_IsRefusedWith409()
    {
        var (id, jobId) = await _client.ProcessedTextAsync("done.txt", "A short letter that processes without trouble.");

        using (var retry = await _client.PostAsync($"/api/v1/jobs/{jobId}/retry", null))
            await retry.AssertErrorAsync(HttpStatusCode.Conflict, "not_retryable");
        using (var cancel = await _client.PostAsync($"/api/v1/jobs/{jobId}/cancel", null))
            await cancel.AssertErrorAsync(HttpStatusCode.Conflict, "invalid_transition");

        Assert.Equal("succeeded", (await _client.GetJsonAsync($"/api/v1/jobs/{jobId}")).Str("state"));
        Assert.Equal("processed", (await _client.GetJsonAsync($"/api/v1/documents/{id}/status")).Str("status"));
    }

    [Fact]
    public async Task AReviewAgainstAStaleVersion_IsRefusedWith409VersionConflict()
    {
        var (id, _) = await _client.ProcessedTextAsync("stale.txt", "Invoice text for two reviewers at once.");
        var original = await _client.ETagAsync(id);
        using (var first = await _client.PutReviewAsync(id, new { fields = new Dictionary<string, string?> { ["issuer"] = "Acme" } }, original))
            await first.ReadJsonAsync(HttpStatusCode.OK);
        var current = await _client.ETagAsync(id);

        using var second = await _client.PutReviewAsync(id, new { fields = new Dictionary<string, string?> { ["issuer"] = "Initech" } }, original);

        var error = await second.AssertErrorAsync(HttpStatusCode.Conflict, "version_conflict");
        Assert.Equal(original.Trim('"'), error.GetProperty("details").GetProperty("expected_version").ToString());
        Assert.Equal(current.Trim('"'), error.GetProperty("details").GetProperty("current_version").ToString());
        var result = await _client.GetJsonAsync($"/api/v1/documents/{id}/result");
        Assert.Equal("Acme", result.GetProperty("result").GetProperty("fields").GetProperty("issuer").Str("value"));

        // The version in the body is held to the same rule as If-Match.
        using var inBody = await _client.PutReviewAsync(id,
            new { fields = new Dictionary<string, string?> { ["issuer"] = "Initech" }, version = int.Parse(original.Trim('"')) }, null);
        await inBody.AssertErrorAsync(HttpStatusCode.Conflict, "version_conflict");
        Assert.Equal(current, await _client.ETagAsync(id));
    }

    [Fact]
    public async Task AReviewWithoutAVersion_IsRefusedWith428()
    {
        var (id, _) = await _client.ProcessedTextAsync("unversioned.txt", "A memo about the new coffee machine.");
        var before = await _client.ETagAsync(id);

        using var response = await _client.PutReviewAsync(id, new { fields = new Dictionary<string, string?> { ["issuer"] = "Acme" } }, null);

        await response.AssertErrorAsync((HttpStatusCode)428, "precondition_required");
        Assert.Equal(before, await _client.ETagAsync(id));
    }

    [Theory]
    [InlineData("date", "15/01/2024", "fields.date")]
    [InlineData("due_date", "2024-02-30", "fields.due_date")]
    [InlineData("colour", "red", "fields.colour")]
    [InlineData("total", "1,234.00", "fields.total")]
    [InlineData("currency", "euro", "fields.currency")]
    public async Task AReviewWithAnInvalidValue_IsRefusedWith400_AndChangesNothing(string field, string value, string detail)
    {
        var (id, _) = await _client.ProcessedTextAsync($"invalid-{field}.txt", $"A document to edit badly ({field}).");
        var before = await _client.ETagAsync(id);

        using var response = await _client.PutReviewAsync(id, new { fields = new Dictionary<string, string?> { [field] = value } }, before);

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_review");
        Assert.True(error.GetProperty("details").TryGetProperty(detail, out _), $"details do not name '{detail}': {error}");
        Assert.Equal(before, await _client.ETagAsync(id));
    }

    [Fact]
    public async Task AReviewWithAnUnknownCategory_IsRefusedWith400()
    {
        var (id, _) = await _client.ProcessedTextAsync("category.txt", "Some text that is surely not a banana.");

        using var response = await _client.PutReviewAsync(id, new { category = "banana" }, await _client.ETagAsync(id));

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_review");
        Assert.True(error.GetProperty("details").TryGetProperty("category", out _), error.ToString());
    }
}

/// <summary><see cref="ReviewRefusalTests"/> on SQLite.</summary>
public sealed class ReviewRefusalTestsOnSqlite(DocketFactory fixture) : ReviewRefusalTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="ReviewRefusalTests"/> on PostgreSQL.</summary>
public sealed class ReviewRefusalTestsOnPostgres(PostgresDocketFactory fixture) : ReviewRefusalTests(fixture), IClassFixture<PostgresDocketFactory>;
