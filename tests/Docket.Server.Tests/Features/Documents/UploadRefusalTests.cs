using System.Net;
using System.Net.Http.Json;
using System.Text;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>A server that accepts files of at most 1 KB; the tests below only ever send refused uploads to it.</summary>
public class SmallUploadLimitFactory : DocketFactory
{
    public SmallUploadLimitFactory() : this(TestDatabase.Sqlite)
    {
    }

    protected SmallUploadLimitFactory(TestDatabase database)
        : base(new Dictionary<string, string?> { ["Uploads:MaxFileBytes"] = "1024" }, null, database)
    {
    }
}

public sealed class PostgresSmallUploadLimitFactory() : SmallUploadLimitFactory(TestDatabase.Postgres);

/// <summary>
/// Invalid input is refused in the request with a clear error, and nothing is stored: no
/// document row, no file in storage, no temporary file left behind.
/// </summary>
public abstract class UploadRefusalTests(SmallUploadLimitFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    private static readonly byte[] GoodText = Encoding.UTF8.GetBytes("Meeting notes: the budget was approved.");
    private static readonly byte[] TooLarge = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("All work and no play. ", 200)));

    [Fact]
    public async Task AFileOverTheSizeLimit_IsRefusedWith413_AndNothingIsStored()
    {
        Assert.True(TooLarge.Length > 1024);

        using var response = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("large.txt", TooLarge)));

        var error = await response.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        Assert.Equal("large.txt", error.GetProperty("details").Str("filename"));
        await AssertNothingStoredAsync();
    }

    [Theory]
    [InlineData("setup.exe")]
    [InlineData("README")]
    public async Task AFileOfAnUnacceptedType_IsRefusedWith415(string fileName)
    {
        using var response = await _client.PostAsync("/api/v1/documents", ApiClient.Files((fileName, GoodText)));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_type");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task PdfBytesNamedTxt_AreRefusedWith415()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

        using var response = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("notes.txt", pdf)));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "type_mismatch");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task HtmlNamedPdf_IsRefusedWith415()
    {
        var html = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");

        using var response = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("invoice.pdf", html)));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "type_mismatch");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task AnEmptyFile_IsRefusedWith400()
    {
        using var response = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("empty.txt", [])));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "empty_file");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ARequestWithOneGoodAndOneBadFile_StoresNothing()
    {
        using (var wrongType = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("good.txt", GoodText), ("evil.exe", GoodText))))
            await wrongType.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_type");
        await AssertNothingStoredAsync();

        using (var tooLarge = await _client.PostAsync("/api/v1/documents", ApiClient.Files(("good.txt", GoodText), ("large.txt", TooLarge))))
            await tooLarge.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task ABodyThatIsNotMultipart_IsRefusedWith415()
    {
        using var response = await _client.PostAsync("/api/v1/documents", JsonContent.Create(new { files = new[] { "a.txt" } }));

        await response.AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        await AssertNothingStoredAsync();
    }

    [Fact]
    public async Task AMultipartBodyWithoutFiles_IsRefusedWith400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("just a field"), "comment" } };

        using var response = await _client.PostAsync("/api/v1/documents", form);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "no_files");
        await AssertNothingStoredAsync();
    }

    private async Task AssertNothingStoredAsync()
    {
        var documents = await _client.GetJsonAsync("/api/v1/documents");
        Assert.Equal(0, documents.Int("total"));
        Assert.Empty(documents.GetProperty("items").EnumerateArray());
        foreach (var folder in new[] { "files", "tmp" })
        {
            var path = Path.Combine(factory.DataDirectory, folder);
            if (Directory.Exists(path)) Assert.Empty(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories));
        }
    }
}

/// <summary><see cref="UploadRefusalTests"/> on SQLite.</summary>
public sealed class UploadRefusalTestsOnSqlite(SmallUploadLimitFactory fixture) : UploadRefusalTests(fixture), IClassFixture<SmallUploadLimitFactory>;

/// <summary><see cref="UploadRefusalTests"/> on PostgreSQL.</summary>
public sealed class UploadRefusalTestsOnPostgres(PostgresSmallUploadLimitFactory fixture) : UploadRefusalTests(fixture), IClassFixture<PostgresSmallUploadLimitFactory>;
