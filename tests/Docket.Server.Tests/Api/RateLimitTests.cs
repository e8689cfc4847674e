using System.Net;
using System.Net.Http.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

/// <summary>The rate limiter: 429 with Retry-After in the error envelope, counted per address and per user.</summary>
public sealed class RateLimitTests
{
    private static DocketFactory Server(string setting, int limit) => DocketFactory.Create(new Dictionary<string, string?> { [setting] = limit.ToString() });

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
    public async Task Uploads_AreLimitedPerUser_AndAnotherUserStillUploads()
    {
        await using var server = Server("RateLimits:UploadsPerUserPerMinute", 2);
        var busy = server.CreateAccount().CreateClient();
        var other = server.CreateAccount().CreateClient();

        await busy.UploadTextAsync("one.txt", "One.");
        await busy.UploadTextAsync("two.txt", "Two.");
        using (var third = await busy.PostAsync("/api/v1/documents", ApiClient.Files(ApiClient.TextFile("three.txt", "Three."))))
            await AssertLimitedAsync(third);

        await other.UploadTextAsync("mine.txt", "Someone else's upload.");
        Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/api/v1/documents")).StatusCode);
    }

    [Fact]
    public async Task EveryRequestOfAUser_CountsAgainstTheirLimit()
    {
        await using var server = Server("RateLimits:PerUserPerMinute", 5);
        var client = server.CreateAccount().CreateClient();

        // The sign-in is anonymous and counts against the address only.
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/documents")).StatusCode);
        using var sixth = await client.GetAsync("/api/v1/jobs");

        await AssertLimitedAsync(sixth);
    }
}
