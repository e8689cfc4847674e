using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

/// <summary>Idempotency-Key on upload, retry and reprocess: a repeat replays the first answer; a different request with the key is refused.</summary>
public abstract class IdempotencyTests(DocketFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    private static HttpRequestMessage Upload(string key, params (string Name, byte[] Content)[] files)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = ApiClient.Files(files) };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static HttpRequestMessage Post(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private async Task<int> CountAsync(string name) =>
        (await _client.GetJsonAsync($"/api/v1/documents?q={name}&page_size=200")).Int("total");

    [Fact]
    public async Task AnUploadSentTwiceWithOneKey_IsStoredOnce_AndTheRepeatGetsTheFirstAnswer()
    {
        var key = Guid.NewGuid().ToString();
        var name = $"once-{Guid.NewGuid():N}.txt";
        var file = ApiClient.TextFile(name, "Sent over a flaky network, twice.");

        using var first = await _client.SendAsync(Upload(key, file));
        using var repeat = await _client.SendAsync(Upload(key, file));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal("true", Assert.Single(repeat.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(1, await CountAsync(name));
    }

    [Fact]
    public async Task OneKeyWithADifferentRequest_IsRefusedWith409_AndStoresNothing()
    {
        var key = Guid.NewGuid().ToString();
        var name = $"first-{Guid.NewGuid():N}.txt";
        (await _client.SendAsync(Upload(key, ApiClient.TextFile(name, "The first request.")))).Dispose();

        using var different = await _client.SendAsync(Upload(key, ApiClient.TextFile(name, "Another request entirely.")));
        using var retry = await _client.SendAsync(Post($"/api/v1/jobs/{Guid.NewGuid()}/retry", key));

        await different.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        await retry.AssertErrorAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        Assert.Equal(1, await CountAsync(name));
    }

    [Fact]
    public async Task ARetrySentTwiceWithOneKey_CreatesOneJob()
    {
        var (id, job) = await _client.UploadTextAsync("broken.json", "{\"rows\": [" + Guid.NewGuid());
        await _client.WaitForDocumentAsync(id, "failed");
        var key = Guid.NewGuid().ToString();

        using var first = await _client.SendAsync(Post($"/api/v1/jobs/{job}/retry", key));
        using var repeat = await _client.SendAsync(Post($"/api/v1/jobs/{job}/retry", key));

        var retried = await first.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(retried.Guid("job_id"), (await repeat.ReadJsonAsync(HttpStatusCode.Accepted)).Guid("job_id"));
        Assert.Equal(2, (await _client.GetJsonAsync($"/api/v1/jobs?document_id={id}")).Int("total"));
    }

    [Fact]
    public async Task AReprocessSentTwiceWithOneKey_CreatesOneJob()
    {
        var (id, _) = await _client.ProcessedTextAsync($"again-{Guid.NewGuid():N}.txt", "Run me once more, but only once.");
        var key = Guid.NewGuid().ToString();

        using var first = await _client.SendAsync(Post($"/api/v1/review/{id}/reprocess", key));
        using var repeat = await _client.SendAsync(Post($"/api/v1/review/{id}/reprocess", key));

        Assert.Equal((await first.ReadJsonAsync(HttpStatusCode.Accepted)).Guid("job_id"), (await repeat.ReadJsonAsync(HttpStatusCode.Accepted)).Guid("job_id"));
        Assert.Equal(2, (await _client.GetJsonAsync($"/api/v1/jobs?document_id={id}")).Int("total"));
    }

    [Fact]
    public async Task KeysBelongToTheirUser_SoTheSameKeyFromAnotherUserIsANewRequest()
    {
        var key = Guid.NewGuid().ToString();
        var other = factory.CreateAccount().CreateClient();

        using var mine = await _client.SendAsync(Upload(key, ApiClient.TextFile("mine.txt", "Mine.")));
        using var theirs = await other.SendAsync(Upload(key, ApiClient.TextFile("theirs.txt", "Theirs.")));

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("a-key-far-longer-than-anyone-needs-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789-0123456789")]
    [InlineData("ключ")]
    public async Task AMalformedKey_IsRefusedWith400(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = ApiClient.Files(ApiClient.TextFile("k.txt", "k")) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        using var response = await _client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_idempotency_key");
    }
}

/// <summary>Keys are forgotten after Idempotency:KeyLifetime.</summary>
public sealed class IdempotencyExpiryTests
{
    [Fact]
    public async Task AnExpiredKey_RunsTheRequestAgain()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Idempotency:KeyLifetime"] = "00:00:01" });
        var client = server.CreateAuthenticatedClient();
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Upload()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = ApiClient.Files(ApiClient.TextFile("late.txt", "Sent again a day later.")) };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }

        var first = await (await client.SendAsync(Upload())).ReadJsonAsync(HttpStatusCode.Created);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var later = await client.SendAsync(Upload());

        var second = await later.ReadJsonAsync(HttpStatusCode.Created);
        Assert.False(later.Headers.Contains("Idempotent-Replayed"));
        Assert.NotEqual(first.GetProperty("documents")[0].Guid("id"), second.GetProperty("documents")[0].Guid("id"));
    }
}

/// <summary><see cref="IdempotencyTests"/> on SQLite.</summary>
public sealed class IdempotencyTestsOnSqlite(DocketFactory fixture) : IdempotencyTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="IdempotencyTests"/> on PostgreSQL.</summary>
public sealed class IdempotencyTestsOnPostgres(PostgresDocketFactory fixture) : IdempotencyTests(fixture), IClassFixture<PostgresDocketFactory>;
