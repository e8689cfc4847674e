using System.Net;
using System.Net.Http.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

/// <summary>Every refusal, whatever answers it (a handler, routing, the SSE streamer), has the one error shape.</summary>
public abstract class ErrorEnvelopeTests(DocketFactory factory)
{
    // An admin, so the admin-only routes answer 404 for an unknown id too rather than 403.
    private readonly HttpClient _client = factory.CreateAuthenticatedClient(Roles.Admin);

    /// <summary>Every route that takes a document, job or export id.</summary>
    public static TheoryData<string, string> IdRoutes => new()
    {
        { "GET", "/api/v1/documents/{id}" },
        { "DELETE", "/api/v1/documents/{id}" },
        { "GET", "/api/v1/documents/{id}/file" },
        { "GET", "/api/v1/documents/{id}/status" },
        { "GET", "/api/v1/documents/{id}/result" },
        { "GET", "/api/v1/documents/{id}/stream" },
        { "PUT", "/api/v1/documents/{id}/review" },
        { "POST", "/api/v1/documents/{id}/finalize" },
        { "GET", "/api/v1/documents/{id}/export/json" },
        { "GET", "/api/v1/documents/{id}/export/csv" },
        { "POST", "/api/v1/review/{id}/approve" },
        { "POST", "/api/v1/review/{id}/reject" },
        { "POST", "/api/v1/review/{id}/reprocess" },
        { "GET", "/api/v1/jobs/{id}" },
        { "POST", "/api/v1/jobs/{id}/retry" },
        { "POST", "/api/v1/jobs/{id}/cancel" },
        { "GET", "/api/v1/jobs/{id}/events" },
        { "GET", "/api/v1/jobs/{id}/stream" },
        { "GET", "/api/v1/export/{id}/download" },
        { "POST", "/api/v1/admin/failed-jobs/{id}/requeue" },
    };

    [Theory]
    [MemberData(nameof(IdRoutes))]
    public async Task AnUnknownId_IsAnsweredWith404_OnEveryRouteThatTakesOne(string method, string route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), route.Replace("{id}", Guid.NewGuid().ToString()));
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { fields = new Dictionary<string, string>() });
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        }

        using var response = await _client.SendAsync(request);

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("GET", "/api/v1/no-such-thing")]
    [InlineData("GET", "/api/v1/documents/not-a-guid")]
    [InlineData("POST", "/api/v1/nothing/here")]
    public async Task AnUnknownRoute_IsAnsweredWith404InTheEnvelope(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("status=bogus", "status")]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=201", "page_size")]
    [InlineData("page=0", "page")]
    [InlineData("sort=nope", "sort")]
    [InlineData("order=sideways", "order")]
    public async Task ABadListQuery_IsRefusedWith400_NamingTheParameter(string query, string parameter)
    {
        using var response = await _client.GetAsync($"/api/v1/documents?{query}");

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.True(error.GetProperty("details").TryGetProperty(parameter, out _), $"details do not name '{parameter}': {error}");
    }

    [Fact]
    public async Task AMalformedJsonBody_IsRefusedWith400InTheEnvelope()
    {
        using var content = new StringContent("{\"fields\": {", System.Text.Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync("/api/v1/export/json", content);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task AnUnparsableQueryValue_IsRefusedWith400InTheEnvelope()
    {
        using var response = await _client.GetAsync("/api/v1/documents?page=abc");

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "bad_request");
        Assert.Contains("page", error.Str("message"));
    }

    [Fact]
    public async Task ACallersRequestId_IsEchoedInTheHeaderAndTheEnvelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/jobs/{Guid.NewGuid()}");
        request.Headers.Add("X-Request-ID", "trace-1234");

        using var response = await _client.SendAsync(request);

        var error = await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal("trace-1234", error.Str("request_id"));
    }
}

/// <summary><see cref="ErrorEnvelopeTests"/> on SQLite.</summary>
public sealed class ErrorEnvelopeTestsOnSqlite(DocketFactory fixture) : ErrorEnvelopeTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="ErrorEnvelopeTests"/> on PostgreSQL.</summary>
public sealed class ErrorEnvelopeTestsOnPostgres(PostgresDocketFactory fixture) : ErrorEnvelopeTests(fixture), IClassFixture<PostgresDocketFactory>;
