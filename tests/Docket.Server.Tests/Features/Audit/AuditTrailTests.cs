using System.Net;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Audit;

/// <summary>Every review edit, decision, export, delete and requeue leaves a line: what, who, when, and for edits the before and after.</summary>
public abstract class AuditTrailTests(DocketFactory factory)
{
    private readonly HttpClient _owner = factory.CreateAuthenticatedClient();
    private readonly HttpClient _reviewer = factory.CreateAuthenticatedClient(Roles.Reviewer);
    private readonly HttpClient _admin = factory.CreateAuthenticatedClient(Roles.Admin);

    private async Task<JsonElement[]> TrailAsync(HttpClient client, Guid documentId) =>
        (await client.GetJsonAsync($"/api/v1/documents/{documentId}/audit")).GetProperty("items").EnumerateArray().ToArray();

    [Fact]
    public async Task AReviewEdit_IsRecordedPerChangedValue_WithTheMachineValueBefore_AndTheEditorAndTime()
    {
        var (id, _) = await _owner.UploadOneAsync("sample-invoice.csv", Samples.Read("sample-invoice.csv"));
        await _owner.WaitForDocumentAsync(id, "processed");
        var result = (await _owner.GetJsonAsync($"/api/v1/documents/{id}/result")).GetProperty("result");
        var machineTotal = result.GetProperty("fields").GetProperty("total").StrOrNull("value");
        var machineTitle = result.StrOrNull("title");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using (var edit = await _reviewer.PutReviewAsync(id, new { fields = new { total = "9550.00" }, title = "Invoice 42" }, await _owner.ETagAsync(id)))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        var trail = await TrailAsync(_owner, id);
        var total = Assert.Single(trail, e => e.StrOrNull("field") == "fields.total");
        Assert.Equal("review_edit", total.Str("action"));
        Assert.Equal(machineTotal, total.StrOrNull("before"));
        Assert.Equal("9550.00", total.Str("after"));
        Assert.Equal(factory.Account(Roles.Reviewer).Id, total.GetProperty("user").Guid("id"));
        Assert.Equal(factory.Account(Roles.Reviewer).Email, total.GetProperty("user").Str("email"));
        Assert.InRange(total.GetProperty("at").GetDateTimeOffset(), before, DateTimeOffset.UtcNow.AddSeconds(1));
        var title = Assert.Single(trail, e => e.StrOrNull("field") == "title");
        Assert.Equal(machineTitle, title.StrOrNull("before"));
        Assert.Equal("Invoice 42", title.Str("after"));
        Assert.DoesNotContain(trail, e => e.StrOrNull("field") == "fields.currency");

        // Taking an edit back is an edit too: from the reviewer's value back to the machine's.
        using (var undo = await _owner.PutReviewAsync(id, new { title = "Invoice 42" }, await _owner.ETagAsync(id)))
            Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        var undone = (await TrailAsync(_owner, id)).Last(e => e.StrOrNull("field") == "fields.total");
        Assert.Equal("9550.00", undone.Str("before"));
        Assert.Equal(machineTotal, undone.StrOrNull("after"));
        Assert.Equal(factory.Account().Id, undone.GetProperty("user").Guid("id"));
    }

    [Fact]
    public async Task Decisions_Exports_AndReprocessing_AreRecorded_InOrder()
    {
        var (rejected, _) = await _owner.ProcessedTextAsync("rejected.txt", "A memo that will be rejected and run again.");
        await _reviewer.PostJsonAsync($"/api/v1/review/{rejected}/reject", new { reason = "Blurry scan" }, HttpStatusCode.OK);
        var reprocess = await _owner.PostJsonAsync($"/api/v1/review/{rejected}/reprocess", null, HttpStatusCode.Accepted);
        await _owner.WaitForDocumentAsync(rejected, "processed");
        await _owner.PostJsonAsync($"/api/v1/review/{rejected}/approve", null, HttpStatusCode.OK);
        (await _owner.GetAsync($"/api/v1/documents/{rejected}/export/csv")).Dispose();
        var export = await _owner.PostJsonAsync("/api/v1/export/json", new { document_ids = new[] { rejected } }, HttpStatusCode.Created);

        var trail = await TrailAsync(_owner, rejected);

        Assert.Equal(["reject", "reprocess", "finalize", "export", "export"], trail.Select(e => e.Str("action")));
        Assert.Equal("Blurry scan", trail[0].GetProperty("details").Str("reason"));
        Assert.Equal(factory.Account(Roles.Reviewer).Id, trail[0].GetProperty("user").Guid("id"));
        Assert.Equal(reprocess.Guid("job_id"), trail[1].GetProperty("details").Guid("job_id"));
        Assert.Equal("csv", trail[3].GetProperty("details").Str("format"));
        Assert.Equal(export.Guid("id"), trail[4].GetProperty("details").Guid("export_id"));
        Assert.Equal(trail.Select(e => e.GetProperty("id").GetInt64()).Order(), trail.Select(e => e.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task RetriesRequeuesAndDeletes_AreRecorded_AndADeletedDocumentsTrailStaysWithTheAdmin()
    {
        var (failed, job) = await _owner.UploadTextAsync("broken.json", """{"rows": [1, 2""");
        await _owner.WaitForDocumentAsync(failed, "failed");
        var retry = await _owner.PostJsonAsync($"/api/v1/jobs/{job}/retry", null, HttpStatusCode.Accepted);
        await _owner.WaitForDocumentAsync(failed, "failed");
        await _admin.PostJsonAsync($"/api/v1/admin/failed-jobs/{retry.Guid("job_id")}/requeue", null, HttpStatusCode.Accepted);
        await _owner.WaitForDocumentAsync(failed, "failed");

        using (var deleted = await _owner.DeleteAsync($"/api/v1/documents/{failed}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        using (var gone = await _owner.GetAsync($"/api/v1/documents/{failed}/audit"))
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        var trail = (await _admin.GetJsonAsync($"/api/v1/admin/audit?document_id={failed}")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["delete", "requeue", "retry"], trail.Select(e => e.Str("action")));
        Assert.Equal("broken.json", trail[0].GetProperty("details").Str("filename"));
        Assert.Equal(factory.Account(Roles.Admin).Id, trail[1].GetProperty("user").Guid("id"));
        Assert.Equal(job, trail[2].GetProperty("details").Guid("retry_of"));
    }
}

/// <summary><see cref="AuditTrailTests"/> on SQLite.</summary>
public sealed class AuditTrailTestsOnSqlite(DocketFactory fixture) : AuditTrailTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="AuditTrailTests"/> on PostgreSQL.</summary>
public sealed class AuditTrailTestsOnPostgres(PostgresDocketFactory fixture) : AuditTrailTests(fixture), IClassFixture<PostgresDocketFactory>;
