using System.Net;
using System.Net.Http.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

/// <summary>The rate limiter: 429 with Retry-After in the error envelope, counted per address and per user.</summary>
public sealed class RateLimitTests
{
    private static DocketFactory Server(string setting, int limit) => DocketFactory.Create(new Dictionary<string, string?> { [setting] = limit.ToString() });

    private static DocketFactory Server(params (string Setting, int Value)[] settings) =>
        DocketFactory.Create(settings.ToDictionary(s => s.Setting, s => (string?)s.Value.ToString()));

    private static async Task AssertLimitedAsync(HttpResponseMessage response)
    {
        var error = await response.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 60);
        Assert.Equal((int)retryAfter.Value.TotalSeconds, error.GetProperty("details").Int("retry_after_seconds"));
    }

    [Fact]
    public async Task SignInAttempts_AreLimitedPerAddress_WhateverTheAccount()
    {
        await using var server = Server("RateLimits:SignInPerIpPerMinute", 3);
        var client = server.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var attempt = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = $"guess{i}@example.com", password = "wrong password" });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }
        using (var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "someone@example.com", password = "wrong password" }))
            await AssertLimitedAsync(login);
        using var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email = "new@example.com", password = "a fine long password" });
        await AssertLimitedAsync(register);
    }

    [Fact]
    public async Task UploadedFiles_SpendTheUsersBudget_AndAnotherUserStillUploads()
    {
        await using var server = Server(("RateLimits:UploadFileBurst", 3), ("RateLimits:UploadFilesPerSecond", 1));
        var busy = server.CreateAccount().CreateClient();
        var other = server.CreateAccount().CreateClient();

        // Files are counted, not requests: two in one request and one more spend the burst of three.
        using (var two = await busy.PostAsync("/api/v1/documents", ApiClient.Files(ApiClient.TextFile("one.txt", "One."), ApiClient.TextFile("two.txt", "Two."))))
            Assert.Equal(HttpStatusCode.Created, two.StatusCode);
        await busy.UploadTextAsync("three.txt", "Three.");
        using (var fourth = await busy.PostAsync("/api/v1/documents", ApiClient.Files(ApiClient.TextFile("four.txt", "Four."))))
            await AssertLimitedAsync(fourth);

        await other.UploadTextAsync("mine.txt", "Someone else's upload.");
        var listed = await busy.GetJsonAsync("/api/v1/documents");
        Assert.Equal(3, listed.Int("total"));
    }

    [Fact]
    public async Task AnUploadAskedToWait_IsStoredWhenSentAgainWithItsKey_NotAnsweredWithTheRefusalAgain()
    {
        await using var server = Server(("RateLimits:UploadFileBurst", 1), ("RateLimits:UploadFilesPerSecond", 1));
        var client = server.CreateAccount().CreateClient();
        await client.UploadTextAsync("first.txt", "First.");

        HttpRequestMessage Second()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = ApiClient.Files(ApiClient.TextFile("second.txt", "Second.")) };
            request.Headers.Add("Idempotency-Key", "second-file");
            return request;
        }
        using (var refused = await client.SendAsync(Second()))
        {
            await AssertLimitedAsync(refused);
            await Task.Delay(refused.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(200));
        }
        using var again = await client.SendAsync(Second());

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.False(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await client.GetJsonAsync("/api/v1/documents")).Int("total"));
    }

    [Fact]
    public async Task TheDefaultLimits_TakeAPileOfFilesUploadedOneARequest()
    {
        var defaults = new Docket.Server.Api.RateLimitOptions();
        await using var server = Server(
            ("RateLimits:PerIpBurst", defaults.PerIpBurst), ("RateLimits:PerIpPerSecond", defaults.PerIpPerSecond),
            ("RateLimits:PerUserBurst", defaults.PerUserBurst), ("RateLimits:PerUserPerSecond", defaults.PerUserPerSecond),
            ("RateLimits:UploadFileBurst", defaults.UploadFileBurst), ("RateLimits:UploadFilesPerSecond", defaults.UploadFilesPerSecond),
            ("RateLimits:UploadMegabyteBurst", defaults.UploadMegabyteBurst), ("RateLimits:UploadMegabytesPerSecond", defaults.UploadMegabytesPerSecond));
        var client = server.CreateAccount().CreateClient();

        // What the old limit of 60 upload requests a minute refused: 500 files, as fast as one client sends them.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 500; i++)
        {
            using var response = await client.PostAsync("/api/v1/documents", ApiClient.Files(ApiClient.TextFile($"note-{i}.txt", $"Note {i}.")));
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
    }

    [Fact]
    public async Task EveryRequestOfAUser_CountsAgainstTheirLimit()
    {
        await using var server = Server(("RateLimits:PerUserBurst", 5), ("RateLimits:PerUserPerSecond", 1));
        var client = server.CreateAccount().CreateClient();

        // The sign-in is anonymous and counts against the address only.
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/documents")).StatusCode);
        using var sixth = await client.GetAsync("/api/v1/jobs");

        await AssertLimitedAsync(sixth);
    }

    [Fact]
    public void ARetiredFixedWindowSetting_StopsTheStart_NamingTheSettingsThatReplaceIt()
    {
        using var server = Server("RateLimits:UploadsPerUserPerMinute", 60);

        var refusal = Assert.ThrowsAny<Exception>(() => server.CreateClient());

        Assert.Contains("UploadFileBurst", refusal.ToString());
    }
}
