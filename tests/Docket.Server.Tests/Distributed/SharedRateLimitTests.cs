using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Distributed;

/// <summary>
/// Two API nodes (`docket serve --no-worker` processes) on one PostgreSQL database and one Redis: the per-user and the
/// sign-in limits are one budget across both, a token signed out on one is refused by the other at once, and a node
/// whose Redis is gone still answers, counting on its own.
/// </summary>
public sealed class SharedRateLimitTests : IAsyncLifetime
{
    private const string Email = "limits@test.docket";
    private const string Password = "a password for the shared limits";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-limit-tests", Guid.NewGuid().ToString("N"));
    private readonly List<DocketProcess> _nodes = [];
    private readonly List<HttpClient> _clients = [];
    private PostgresTestDatabase? _database;
    private RedisServer? _redis;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _database = PostgresTestDatabase.Create();
        _redis = await RedisServer.StartNewAsync();
        var environment = new Dictionary<string, string>
        {
            ["Database__Provider"] = "postgres",
            ["Database__ConnectionString"] = _database.ConnectionString,
            ["Bus__Provider"] = "redis",
            ["Bus__Redis"] = $"127.0.0.1:{_redis.Port},connectTimeout=1000,commandTimeout=1000",
            ["Storage__Root"] = Path.Combine(_root, "files"),
            ["Docket__DataDirectory"] = Path.Combine(_root, "data"),
            ["Auth__Admin__Email"] = Email,
            ["Auth__Admin__Password"] = Password,
            // Small budgets, slowly refilled, so that what one node spends the other must see.
            ["RateLimits__PerUserBurst"] = "10",
            ["RateLimits__PerUserPerSecond"] = "1",
            ["RateLimits__SignInPerIpPerMinute"] = "4",
            ["RateLimits__UploadFileBurst"] = "2",
            ["RateLimits__UploadFilesPerSecond"] = "1",
            ["RateLimits__RedisKeyPrefix"] = $"test-{Guid.NewGuid():N}:",
        };
        // One after the other: the first start makes the signing key both nodes then read from the database.
        for (var i = 0; i < 2; i++)
        {
            var port = Ports.Free();
            var node = DocketProcess.Start(Path.Combine(_root, $"api-{i}.log"), environment, "serve", "--no-worker", "--urls", $"http://127.0.0.1:{port}");
            _nodes.Add(node);
            await Ports.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => node.HasExited, $"API node {i}");
            _clients.Add(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        foreach (var node in _nodes) node.Dispose();
        if (_redis is not null) await _redis.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TwoNodes_EndASignedOutTokenTogether_GiveOneUserOneBudgetOfRequestsAndFiles_AndOneAddressOneSignInLimit_AndGoOnWithoutRedis()
    {
        // Two sign-ins spend two of the address's four attempts.
        var token = await SignInAsync();
        var leaving = await SignInAsync();

        // Signing out on one node ends the access token on the other at once, minutes before it would expire.
        Assert.Equal(HttpStatusCode.OK, await MeAsync(_clients[1], leaving));
        using (var logout = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/logout"))
        {
            logout.Headers.Authorization = new AuthenticationHeaderValue("Bearer", leaving);
            using var loggedOut = await _clients[0].SendAsync(logout);
            Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(_clients[1], leaving));

        // Two files at once: one on each node, and the third waits, whichever node it is sent to.
        Assert.Equal(HttpStatusCode.Created, await UploadAsync(_clients[0], token, "a.txt"));
        Assert.Equal(HttpStatusCode.Created, await UploadAsync(_clients[1], token, "b.txt"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await UploadAsync(_clients[0], token, "c.txt"));

        // Fourteen requests, alternating between the nodes, within a second or two: a budget of ten per node would take them all.
        var answers = new List<HttpStatusCode>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 14; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/documents");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _clients[i % 2].SendAsync(request);
            answers.Add(response.StatusCode);
        }
        Assert.All(answers, a => Assert.Contains(a, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        // Ten at once (five spent above), and one more for each second the fourteen took to send.
        Assert.Contains(HttpStatusCode.TooManyRequests, answers);
        Assert.InRange(answers.Count(a => a == HttpStatusCode.OK), 5, 6 + (int)clock.Elapsed.TotalSeconds);

        // Four wrong passwords, alternating: four attempts in all per minute, whichever node takes them.
        var attempts = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var attempt = await _clients[(i + 1) % 2].PostAsJsonAsync("/api/v1/auth/login", new { email = "guess@example.com", password = "wrong password" });
            attempts.Add(attempt.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            attempts);

        // Redis gone: a node counts on its own rather than failing every request.
        await _redis!.KillAsync();
        using var health = await _clients[1].GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var anonymous = await _clients[1].PostAsJsonAsync("/api/v1/auth/login", new { email = "guess@example.com", password = "wrong password" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private async Task<string> SignInAsync()
    {
        using var login = await _clients[0].PostAsJsonAsync("/api/v1/auth/login", new { email = Email, password = Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static async Task<HttpStatusCode> UploadAsync(HttpClient node, string token, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents") { Content = ApiClient.Files(ApiClient.TextFile(name, $"The note {name}.")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> MeAsync(HttpClient node, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await node.SendAsync(request);
        return response.StatusCode;
    }
}
