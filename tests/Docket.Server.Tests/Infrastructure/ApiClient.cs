using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>The HTTP API as a client sees it: JSON on the wire, snake_case names, no server types.</summary>
public static class ApiClient
{
    public static MultipartFormDataContent Files(params (string Name, byte[] Content)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }
        return form;
    }

    public static (string, byte[]) TextFile(string name, string text) => (name, Encoding.UTF8.GetBytes(text));

    /// <summary>Uploads in one request and returns the "documents" of the 201 answer.</summary>
    public static async Task<JsonElement[]> UploadAsync(this HttpClient client, params (string Name, byte[] Content)[] files)
    {
        using var response = await client.PostAsync("/api/v1/documents", Files(files));
        var body = await response.ReadJsonAsync(HttpStatusCode.Created);
        var documents = body.GetProperty("documents").EnumerateArray().ToArray();
        Assert.Equal(files.Length, documents.Length);
        return documents;
    }

    public static async Task<(Guid DocumentId, Guid JobId)> UploadOneAsync(this HttpClient client, string name, byte[] content)
    {
        var document = Assert.Single(await client.UploadAsync((name, content)));
        return (document.Guid("id"), document.Guid("job_id"));
    }

    public static async Task<(Guid DocumentId, Guid JobId)> UploadTextAsync(this HttpClient client, string name, string text) =>
        await client.UploadOneAsync(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Uploads a text file and waits until it is processed.</summary>
    public static async Task<(Guid DocumentId, Guid JobId)> ProcessedTextAsync(this HttpClient client, string name, string text)
    {
        var uploaded = await client.UploadTextAsync(name, text);
        await client.WaitForDocumentAsync(uploaded.DocumentId, "processed");
        return uploaded;
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string path, object? body, HttpStatusCode expected)
    {
        using var response = await client.PostAsync(path, body is null ? null : JsonContent.Create(body));
        return await response.ReadJsonAsync(expected);
    }

    /// <summary>Polls GET /documents/{id}/status until the status is one of <paramref name="statuses"/>.</summary>
    public static Task<JsonElement> WaitForDocumentAsync(this HttpClient client, Guid id, params string[] statuses) =>
        Wait.UntilAsync(() => client.GetJsonAsync($"/api/v1/documents/{id}/status"),
            status => statuses.Contains(status.Str("status")), $"document {id} to be {string.Join(" or ", statuses)}");

    /// <summary>Polls GET /jobs/{id} until <paramref name="done"/> holds.</summary>
    public static Task<JsonElement> WaitForJobAsync(this HttpClient client, Guid id, Func<JsonElement, bool> done, string what,
        TimeSpan? deadline = null) =>
        Wait.UntilAsync(() => client.GetJsonAsync($"/api/v1/jobs/{id}"), done, $"job {id}: {what}", deadline);

    public static Task<JsonElement> WaitForJobStateAsync(this HttpClient client, Guid id, string state) =>
        client.WaitForJobAsync(id, job => job.Str("state") == state, $"state {state}");

    public static async Task<JsonElement[]> JobEventsAsync(this HttpClient client, Guid jobId) =>
        (await client.GetJsonAsync($"/api/v1/jobs/{jobId}/events")).EnumerateArray().ToArray();

    public static async Task<string> ETagAsync(this HttpClient client, Guid documentId)
    {
        using var response = await client.GetAsync($"/api/v1/documents/{documentId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag).Tag;
    }

    public static async Task<HttpResponseMessage> PutReviewAsync(this HttpClient client, Guid documentId, object body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/documents/{documentId}/review") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }

    /// <summary>
    /// Asserts the one error shape of the API: {"error": {"code", "message", "details", "request_id"}},
    /// with request_id equal to the X-Request-ID header. Returns the "error" object.
    /// </summary>
    public static async Task<JsonElement> AssertErrorAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        var error = root.GetProperty("error");
        Assert.Equal(["code", "details", "message", "request_id"], error.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(code, error.Str("code"));
        Assert.False(string.IsNullOrWhiteSpace(error.Str("message")), body);
        var requestId = error.Str("request_id");
        Assert.False(string.IsNullOrEmpty(requestId), body);
        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues("X-Request-ID")));
        return error;
    }

    public static string Str(this JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidOperationException($"'{property}' is null in {element}");

    public static string? StrOrNull(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static Guid Guid(this JsonElement element, string property) => element.GetProperty(property).GetGuid();

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();
}
