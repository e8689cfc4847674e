using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>
/// The seed sample files through the whole flow a person goes through: upload, processing,
/// review with optimistic concurrency, finalising, and exporting one and many documents.
/// </summary>
public abstract class SampleFileFlowTests(DocketFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    public static TheoryData<string> SampleFiles => new(Samples.FileNames);

    [Fact]
    public async Task AllSampleFiles_UploadedInOneRequest_AreProcessedReviewedFinalisedAndExported()
    {
        var files = Samples.FileNames.Select(name => (name, Samples.Read(name))).ToArray();

        var documents = await _client.UploadAsync(files);

        Assert.Equal(Samples.FileNames, documents.Select(d => d.Str("filename")));
        for (var i = 0; i < files.Length; i++)
        {
            Assert.Equal("queued", documents[i].Str("status"));
            Assert.Equal(files[i].Item2.Length, documents[i].GetProperty("size_bytes").GetInt64());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(files[i].Item2)), documents[i].Str("sha256"));
        }
        var reviewed = new Dictionary<Guid, string>();
        foreach (var document in documents)
            reviewed[document.Guid("id")] = await ReviewFinaliseAndExportAsync(document.Guid("id"), document.Str("filename"));
        await BulkExportsHoldTheReviewedValuesAsync(reviewed);
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task ASampleFile_UploadedOnItsOwn_IsProcessedReviewedFinalisedAndExported(string fileName)
    {
        var (id, _) = await _client.UploadOneAsync(fileName, Samples.Read(fileName));

        var value = await ReviewFinaliseAndExportAsync(id, fileName);

        await BulkExportsHoldTheReviewedValuesAsync(new() { [id] = value });
    }

    [Fact]
    public async Task ExportingADocumentThatIsNotFinalised_IsRefusedWithConflict()
    {
        var (id, _) = await _client.ProcessedTextAsync("not-final.txt", "A draft that nobody has approved yet.");

        foreach (var format in new[] { "json", "csv" })
        {
            using var response = await _client.GetAsync($"/api/v1/documents/{id}/export/{format}");
            await response.AssertErrorAsync(HttpStatusCode.Conflict, "not_finalized");
        }
    }

    /// <returns>The invoice number the reviewer entered.</returns>
    private async Task<string> ReviewFinaliseAndExportAsync(Guid id, string fileName)
    {
        var status = await _client.WaitForDocumentAsync(id, "processed", "failed");
        Assert.True(status.Str("status") == "processed", $"{fileName} failed: {status.StrOrNull("failure_reason")}");

        var detail = await _client.GetJsonAsync($"/api/v1/documents/{id}");
        Assert.Equal(fileName, detail.Str("filename"));
        Assert.Equal("processed", detail.Str("status"));
        Assert.False(string.IsNullOrWhiteSpace(detail.StrOrNull("title")), $"{fileName} has no title");
        Assert.False(string.IsNullOrWhiteSpace(detail.StrOrNull("category")), $"{fileName} has no category");
        Assert.Equal("succeeded", detail.GetProperty("current_job").Str("state"));

        var result = await _client.GetJsonAsync($"/api/v1/documents/{id}/result");
        Assert.False(string.IsNullOrWhiteSpace(result.Str("text")), $"{fileName} has no extracted text");
        Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("result").StrOrNull("category")));
        Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("result").StrOrNull("title")));
        Assert.Single(result.GetProperty("versions").EnumerateArray());

        // Review: the edit goes in with the version it was made against.
        var etag = await _client.ETagAsync(id);
        var invoiceNumber = $"REV-{Guid.NewGuid():N}"[..16];
        using (var saved = await _client.PutReviewAsync(id,
                   new { fields = new Dictionary<string, string?> { ["invoice_number"] = invoiceNumber }, notes = "Checked." }, etag))
        {
            var body = await saved.ReadJsonAsync(HttpStatusCode.OK);
            var field = body.GetProperty("result").GetProperty("fields").GetProperty("invoice_number");
            Assert.Equal(invoiceNumber, field.Str("value"));
            Assert.Equal(invoiceNumber, field.Str("reviewed_value"));
            Assert.True(field.GetProperty("edited").GetBoolean());
            Assert.NotEqual(etag, saved.Headers.ETag?.Tag);
        }

        var approved = await _client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        Assert.Equal("finalized", approved.Str("outcome"));
        Assert.Equal("finalized", approved.GetProperty("document").Str("status"));

        var again = await _client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        Assert.Equal("already_finalized", again.Str("outcome"));
        Assert.Equal("finalized", again.GetProperty("document").Str("status"));

        using (var late = await _client.PutReviewAsync(id,
                   new { fields = new Dictionary<string, string?> { ["invoice_number"] = "TOO-LATE" } }, await _client.ETagAsync(id)))
            await late.AssertErrorAsync(HttpStatusCode.Conflict, "read_only");

        using (var json = await _client.GetAsync($"/api/v1/documents/{id}/export/json"))
        {
            var records = await json.ReadJsonAsync(HttpStatusCode.OK);
            Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", json.Content.Headers.ContentDisposition?.DispositionType);
            var record = Assert.Single(records.EnumerateArray());
            Assert.Equal(id, record.Guid("document_id"));
            Assert.Equal(fileName, record.Str("filename"));
            Assert.Equal("finalized", record.Str("status"));
            Assert.True(record.GetProperty("reviewed").GetBoolean());
            Assert.Equal(invoiceNumber, record.GetProperty("fields").Str("invoice_number"));
        }

        using (var csv = await _client.GetAsync($"/api/v1/documents/{id}/export/csv"))
        {
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
            var text = await csv.Content.ReadAsStringAsync();
            var rows = Csv.Parse(text);
            Assert.Equal(2, rows.Count);
            Assert.Equal("document_id", rows[0][0]);
            var record = Assert.Single(Csv.Records(text));
            Assert.Equal(id.ToString(), record["document_id"]);
            Assert.Equal(fileName, record["filename"]);
            Assert.Equal(invoiceNumber, record["invoice_number"]);
        }
        return invoiceNumber;
    }

    private async Task BulkExportsHoldTheReviewedValuesAsync(Dictionary<Guid, string> reviewed)
    {
        var ids = reviewed.Keys.ToArray();

        var csvExport = await _client.PostJsonAsync("/api/v1/export/csv", new { document_ids = ids }, HttpStatusCode.Created);
        Assert.Equal("csv", csvExport.Str("format"));
        Assert.Equal(ids.Length, csvExport.Int("document_count"));
        var csvBytes = await _client.GetByteArrayAsync(csvExport.Str("download_url"));
        Assert.Equal(csvExport.GetProperty("size_bytes").GetInt64(), csvBytes.Length);
        var csvRecords = Csv.Records(Encoding.UTF8.GetString(csvBytes));
        Assert.Equal(reviewed.OrderBy(r => r.Key).Select(r => (r.Key.ToString(), r.Value)),
            csvRecords.Select(r => (r["document_id"], r["invoice_number"])).OrderBy(r => Guid.Parse(r.Item1)));

        var jsonExport = await _client.PostJsonAsync("/api/v1/export/json", new { document_ids = ids }, HttpStatusCode.Created);
        Assert.Equal("json", jsonExport.Str("format"));
        Assert.Equal(ids.Length, jsonExport.Int("document_count"));
        var jsonRecords = JsonDocument.Parse(await _client.GetByteArrayAsync(jsonExport.Str("download_url"))).RootElement.EnumerateArray();
        Assert.Equal(reviewed.OrderBy(r => r.Key).Select(r => (r.Key, r.Value)),
            jsonRecords.Select(r => (r.Guid("document_id"), r.GetProperty("fields").Str("invoice_number"))).OrderBy(r => r.Item1));

        // Export everything finalised and download at once; it is recorded too, and downloads again byte for byte.
        using var now = await _client.GetAsync("/api/v1/export?format=csv");
        Assert.Equal(HttpStatusCode.OK, now.StatusCode);
        var nowBytes = await now.Content.ReadAsByteArrayAsync();
        var nowRecords = Csv.Records(Encoding.UTF8.GetString(nowBytes));
        foreach (var (id, invoiceNumber) in reviewed)
            Assert.Contains(nowRecords, r => r["document_id"] == id.ToString() && r["invoice_number"] == invoiceNumber);
        var nowId = Guid.Parse(Assert.Single(now.Headers.GetValues("X-Export-Id")));

        var listed = await _client.GetJsonAsync("/api/v1/exports?page_size=200");
        var listedIds = listed.GetProperty("items").EnumerateArray().Select(e => e.Guid("id")).ToHashSet();
        Assert.Contains(csvExport.Guid("id"), listedIds);
        Assert.Contains(jsonExport.Guid("id"), listedIds);
        Assert.Contains(nowId, listedIds);

        Assert.Equal(nowBytes, await _client.GetByteArrayAsync($"/api/v1/export/{nowId}/download"));
        Assert.Equal(csvBytes, await _client.GetByteArrayAsync($"/api/v1/export/{csvExport.Guid("id")}/download"));
    }
}

/// <summary><see cref="SampleFileFlowTests"/> on SQLite.</summary>
public sealed class SampleFileFlowTestsOnSqlite(DocketFactory fixture) : SampleFileFlowTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="SampleFileFlowTests"/> on PostgreSQL.</summary>
public sealed class SampleFileFlowTestsOnPostgres(PostgresDocketFactory fixture) : SampleFileFlowTests(fixture), IClassFixture<PostgresDocketFactory>;
