using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Docket.Server.Api;

namespace Docket.Server.Cli;

/// <summary>The server answered with an error envelope (or not at all).</summary>
public sealed class ApiException(HttpStatusCode? status, string code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public HttpStatusCode? Status { get; } = status;

    public string Code { get; } = code;

    /// <summary>How long the server asked us to wait (Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>A busy or budgeted server: the same request, sent again after the wait, is expected to succeed.</summary>
    public bool AsksToWait => Status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;
}

/// <summary>A document's progress as the stream reports it.</summary>
public sealed record ProgressUpdate(Guid DocumentId, string Status, int Percent, string? Message);

/// <summary>The HTTP API as the command line uses it: the same public endpoints any client has.</summary>
public sealed class DocketClient : IDisposable
{
    private static readonly string[] TerminalEvents = ["job_completed", "job_failed", "job_cancelled"];

    private readonly HttpClient _http;

    public DocketClient(Uri server, string? accessToken, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server;
        _http.Timeout = Timeout.InfiniteTimeSpan; // streams stay open; requests carry their own cancellation
        if (accessToken is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>The longest single wait a client honours; a server asking for more is asked again after this.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <summary>How long a request keeps waiting for a busy server in all before the command gives up on it.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(30);

    /// <summary>Called with each wait a server asks for (the upload command counts the files waiting).</summary>
    public Action<TimeSpan>? Waiting { get; set; }

    public Task<JsonElement> GetAsync(string path, CancellationToken cancellationToken) =>
        WithBackoffAsync(async () =>
        {
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
            return await ReadAsync(response, cancellationToken);
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="send"/> again for as long as the server answers 429 or 503, after the wait its Retry-After
    /// names (a second when it names none), until <see cref="Patience"/> is spent: a pile larger than the server's
    /// upload budget is sent at the pace the server sets, not refused.
    /// </summary>
    private async Task<T> WithBackoffAsync<T>(Func<Task<T>> send, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return await send();
            }
            catch (ApiException busy) when (busy.AsksToWait && waited < Patience)
            {
                var wait = busy.RetryAfter is { } asked && asked > TimeSpan.Zero ? (asked < MaxWait ? asked : MaxWait) : TimeSpan.FromSeconds(1);
                // Clients told to wait together would all come back in the same second; a little spread keeps them apart.
                wait += TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250));
                Waiting?.Invoke(wait);
                await Task.Delay(wait, cancellationToken);
                waited += wait;
            }
        }
    }

    public async Task<JsonElement> PostAsync(string path, object? body, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: ApiJson.Options) };
        using var response = await SendAsync(request, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    /// <summary>
    /// Uploads one file as its own request, so one refused file does not hold back the others. A dropped connection
    /// or a failing gateway is retried, and a server that asks to wait (429, 503) is waited for, with the same
    /// Idempotency-Key, so a retry never stores the file twice.
    /// </summary>
    public Task<JsonElement> UploadAsync(string path, CancellationToken cancellationToken)
    {
        var key = Guid.NewGuid().ToString("N");
        return WithBackoffAsync(() => UploadOnceAsync(path, key, cancellationToken), cancellationToken);
    }

    private async Task<JsonElement> UploadOnceAsync(string path, string key, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var file = File.OpenRead(path);
                using var content = new MultipartFormDataContent();
                var part = new StreamContent(file);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Add(part, "files", Path.GetFileName(path));
                var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = content };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await SendAsync(request, cancellationToken);
                return (await ReadAsync(response, cancellationToken)).GetProperty("documents")[0];
            }
            catch (ApiException error) when (attempt < 3 && error.Status is null or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    public async Task DownloadAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) await ReadAsync(response, cancellationToken);
        await response.Content.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Opens an event stream (resuming after <paramref name="lastEventId"/>), waiting for a busy server as it asks.</summary>
    public Task<HttpResponseMessage> OpenStreamAsync(string path, string? lastEventId, CancellationToken cancellationToken) =>
        WithBackoffAsync(async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
            var opened = await SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
            if (opened.IsSuccessStatusCode) return opened;
            using (opened) await ReadAsync(opened, cancellationToken);
            return opened;
        }, cancellationToken);

    /// <summary>A progress event as the document's progress; <paramref name="ended"/> when it ends a job (which a retry may follow).</summary>
    internal static ProgressUpdate ProgressOf(Guid documentId, JsonElement payload, out bool ended)
    {
        var name = payload.GetProperty("event").GetString();
        var message = payload.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : name;
        var error = payload.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var statusNow = name switch
        {
            "job_completed" => "processed",
            "job_failed" => "failed",
            "job_cancelled" => "cancelled",
            "job_queued" or "job_retrying" => "queued",
            _ => "processing",
        };
        ended = TerminalEvents.Contains(name);
        return new ProgressUpdate(documentId, statusNow, payload.GetProperty("progress").GetInt32(), error ?? message);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, completion, cancellationToken);
            }
            catch (HttpRequestException error) when (error.StatusCode is null)
            {
                throw new ApiException(null, "unreachable", $"Cannot reach the Docket server at {Server}: {error.Message}");
            }
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement json = default;
        try
        {
            if (body.Length > 0) json = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not ours (a proxy's error page); reported by status below.
        }
        if (response.IsSuccessStatusCode) return json;
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } at ? at - DateTimeOffset.UtcNow : null)
            : null;
        if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var error))
            throw new ApiException(response.StatusCode, error.GetProperty("code").GetString() ?? "error",
                error.GetProperty("message").GetString() ?? response.ReasonPhrase ?? "error", retryAfter);
        throw new ApiException(response.StatusCode, "http_error", $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.", retryAfter);
    }

    public void Dispose() => _http.Dispose();
}
