using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Docket.Server.Tests.Distributed;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Observability;

/// <summary>The real `docket serve` process: what it writes to stdout is JSON lines that name the request through to the worker.</summary>
public sealed class JsonLogTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-log-tests", Guid.NewGuid().ToString("N"));
    private DocketProcess? _server;
    private HttpClient? _client;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var port = Ports.Free();
        _server = DocketProcess.Start(Path.Combine(_root, "server.log"), new Dictionary<string, string>
        {
            ["Docket__DataDirectory"] = Path.Combine(_root, "data"),
            ["Queue__PollInterval"] = "00:00:00.050",
            ["Auth__Admin__Email"] = ProcessAdmin.Email,
            ["Auth__Admin__Password"] = ProcessAdmin.Password,
        }, "serve", "--urls", $"http://127.0.0.1:{port}");
        await Ports.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => _server.HasExited, "docket serve");
        _client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await ProcessAdmin.SignInAsync(_client);
    }

    [Fact]
    public async Task EveryLineIsJson_AndTheRequestIdFollowsTheJobIntoTheWorkersLines()
    {
        var uploadRequestId = "upload-" + Guid.NewGuid().ToString("N");
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
        {
            Content = ApiClient.Files(ApiClient.TextFile("broken.json", "{\"total\": ")),
        };
        upload.Headers.Add("X-Request-ID", uploadRequestId);
        using var uploaded = await _client!.SendAsync(upload);
        Assert.Equal(uploadRequestId, Assert.Single(uploaded.Headers.GetValues("X-Request-ID")));
        var document = (await uploaded.ReadJsonAsync(HttpStatusCode.Created)).GetProperty("documents")[0];
        var (documentId, jobId) = (document.Guid("id"), document.Guid("job_id"));
        await _client.WaitForDocumentAsync(documentId, "failed");

        var requeueRequestId = "requeue-" + Guid.NewGuid().ToString("N");
        using var requeue = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/failed-jobs/{jobId}/requeue");
        requeue.Headers.Add("X-Request-ID", requeueRequestId);
        using var requeued = await _client.SendAsync(requeue);
        var newJobId = (await requeued.ReadJsonAsync(HttpStatusCode.Accepted)).Guid("job_id");
        await _client.WaitForJobStateAsync(newJobId, "failed");

        var lines = await Wait.UntilAsync(ReadLinesAsync, l => l.Count(IsWorkerFailure) >= 2, "both attempts to be logged");
        foreach (var line in lines)
        {
            Assert.False(string.IsNullOrEmpty(line.Str("message")), line.ToString());
            Assert.Contains(line.Str("level"), new[] { "trace", "debug", "info", "warn", "error", "critical" });
            Assert.True(DateTimeOffset.TryParse(line.Str("timestamp"), out _), line.ToString());
        }

        var first = Assert.Single(lines, l => IsWorkerFailure(l) && l.StrOrNull("job_id") == jobId.ToString());
        Assert.Equal(uploadRequestId, first.StrOrNull("request_id"));
        Assert.Equal(documentId.ToString(), first.StrOrNull("document_id"));

        var requeueLine = Assert.Single(lines, l => l.Str("message").Contains("requeued as job", StringComparison.Ordinal));
        Assert.Equal(requeueRequestId, requeueLine.StrOrNull("request_id"));
        var second = Assert.Single(lines, l => IsWorkerFailure(l) && l.StrOrNull("job_id") == newJobId.ToString());
        Assert.Equal(requeueRequestId, second.StrOrNull("request_id"));
        Assert.Equal(documentId.ToString(), second.StrOrNull("document_id"));
    }

    [Fact]
    public async Task AnUnsafeRequestId_IsReplaced_AndTheNewOneIsInTheErrorAndTheHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/no-such-thing");
        request.Headers.TryAddWithoutValidation("X-Request-ID", "bad id with spaces");
        using var response = await _client!.SendAsync(request);
        var error = await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.NotEqual("bad id with spaces", error.Str("request_id"));
        Assert.Matches("^[0-9a-f]{32}$", error.Str("request_id"));
    }

    private static bool IsWorkerFailure(JsonElement line) =>
        line.Str("category") == "Docket.Server.Processing.JobProcessor" && line.Str("message").Contains("failed", StringComparison.Ordinal);

    /// <summary>The process's stdout lines; the helper prefixes stderr and its own markers, which are not the server's output.</summary>
    private async Task<List<JsonElement>> ReadLinesAsync()
    {
        await using var stream = new FileStream(_server!.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("===", StringComparison.Ordinal) || line.Length == 0) continue;
            Assert.False(line.StartsWith("stderr:", StringComparison.Ordinal), $"The server wrote to stderr: {line}");
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }
        return lines;
    }

    public Task DisposeAsync()
    {
        _client?.Dispose();
        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
