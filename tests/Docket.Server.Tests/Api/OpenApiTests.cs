using System.Text.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Api;

public class OpenApiTests(DocketFactory factory) : IClassFixture<DocketFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task TheOpenApiDocument_Is31_AndDescribesTheApiWithItsErrorEnvelope()
    {
        using var document = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/openapi.json"));
        var root = document.RootElement;

        Assert.StartsWith("3.1", root.GetProperty("openapi").GetString());
        var paths = root.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/documents", "/api/v1/documents/{id}/stream", "/api/v1/jobs/{id}/retry", "/api/v1/export/{format}" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
        var notFound = paths.GetProperty("/api/v1/documents/{id}").GetProperty("get").GetProperty("responses").GetProperty("404");
        Assert.Contains("ApiErrorEnvelope", notFound.GetRawText());
    }

    [Fact]
    public async Task SwaggerUi_IsServedUnderTheApi()
    {
        using var response = await _client.GetAsync("/api/v1/docs/index.html");

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
