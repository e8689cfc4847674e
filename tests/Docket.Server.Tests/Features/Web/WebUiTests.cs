using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Web;

/// <summary>The built web UI served from a real folder, as web/dist looks after `vite build`.</summary>
public sealed class WebUiTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-web-tests", Guid.NewGuid().ToString("N"));
    private DocketFactory _server = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "assets"));
        File.WriteAllText(Path.Combine(_root, "index.html"), "<!doctype html><title>Docket</title><div id=\"root\"></div>");
        File.WriteAllText(Path.Combine(_root, "assets", "index-3f9a1c.js"), "console.log('docket');");
        _server = DocketFactory.Create(new Dictionary<string, string?> { ["Web:Root"] = _root, ["Server:NoWorker"] = "true" });
        _client = _server.CreateClient(new() { AllowAutoRedirect = false });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/documents/0192f0c4-8a5e-7000-8000-000000000001")]
    [InlineData("/review")]
    public async Task AnAppPath_GetsTheIndexPage_WithAPolicyThatAllowsOnlyItsOwnScripts(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"root\">", await response.Content.ReadAsStringAsync());
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AHashedAsset_IsServedAndCachedForAYear()
    {
        using var response = await _client.GetAsync("/assets/index-3f9a1c.js");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("console.log('docket');", await response.Content.ReadAsStringAsync());
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AMissingAsset_Is404_NotTheIndexPage()
    {
        using var response = await _client.GetAsync("/assets/gone-123.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/api")]
    [InlineData("/health/nope")]
    public async Task AnUnknownApiPath_StillAnswers404InTheErrorEnvelope(string path)
    {
        using var response = await _client.GetAsync(path);

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task AWrongMethodOnAnApiRoute_StaysA405()
    {
        using var response = await _server.CreateAuthenticatedClient().PutAsync("/api/v1/documents", null);

        await response.AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task TheApi_StillAnswersBesideTheApp()
    {
        var page = await _server.CreateAuthenticatedClient().GetJsonAsync("/api/v1/documents");

        Assert.Equal(0, page.Int("total"));
    }

    [Fact]
    public async Task WithoutABuiltUi_TheRootLeadsToTheApiDocs()
    {
        var empty = Directory.CreateTempSubdirectory("docket-web-empty").FullName;
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Web:Root"] = empty, ["Server:NoWorker"] = "true" });
        using var client = server.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/v1/docs", response.Headers.Location?.OriginalString);
        Directory.Delete(empty);
    }
}
