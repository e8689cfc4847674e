using System.Net;
using System.Text;
using Docket.Server.Api;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

/// <summary>Security headers on every answer, originals that never render, and request bodies that cannot be too large or too deep.</summary>
public sealed class HardeningTests(DocketFactory factory) : IClassFixture<DocketFactory>
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    [Theory]
    [InlineData("/api/v1/documents", true)]
    [InlineData("/api/v1/documents", false)]
    [InlineData("/api/v1/no-such-route", true)]
    [InlineData("/api/v1/docs/index.html", false)]
    [InlineData("/health", false)]
    public async Task EveryAnswer_CarriesTheSecurityHeaders(string path, bool signedIn)
    {
        using var response = await (signedIn ? _client : factory.CreateClient()).GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("object-src 'none'", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task AnUploadedHtmlPage_IsDownloadedAsPlainTextAttachment_InASandbox()
    {
        var (id, _) = await _client.UploadTextAsync("page.txt", "<html><script>alert(document.cookie)</script></html>");

        using var response = await _client.GetAsync($"/api/v1/documents/{id}/file");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Contains("sandbox", string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task AJsonBodyOverTheLimit_IsRefusedWith413_BeforeItIsRead()
    {
        var huge = "{\"category\": \"" + new string('x', (int)RequestLimits.DefaultMaxRequestBodyBytes) + "\"}";

        using var response = await _client.PostAsync("/api/v1/export/json", new StringContent(huge, Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task AHundredThousandLevelsOfNesting_AreRefusedWith400()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        using var response = await _client.PostAsync("/api/v1/export/json", new StringContent(deep, Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "bad_request");
    }

    [Fact]
    public async Task InvalidUtf8InAJsonBody_IsRefusedWith400()
    {
        var body = new ByteArrayContent([.. "{\"category\": \""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8]);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync("/api/v1/export/json", body);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "bad_request");
    }
}
