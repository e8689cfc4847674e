using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>A server holding a known set of documents: the five samples, one note, and one that failed.</summary>
public class DashboardFixture : DocketFactory, IAsyncLifetime
{
    public DashboardFixture() : this(TestDatabase.Sqlite)
    {
    }

    protected DashboardFixture(TestDatabase database) : base(null, null, database)
    {
    }

    public const string NoteName = "zebra-notes.txt";
    public const string WordOnlyInTheNote = "quokkaphonic";
    public const string BrokenName = "broken-export.json";

    public Dictionary<string, Guid> Ids { get; } = [];

    public async Task InitializeAsync()
    {
        var client = this.CreateAuthenticatedClient();
        var files = Samples.FileNames.Select(name => (name, Samples.Read(name)))
            .Append(ApiClient.TextFile(NoteName, $"Minutes of the garden club.\nThe {WordOnlyInTheNote} hedge needs trimming."))
            .Append(ApiClient.TextFile(BrokenName, """{"rows": [1, 2"""))
            .ToArray();
        foreach (var document in await client.UploadAsync(files))
            Ids[document.Str("filename")] = document.Guid("id");
        foreach (var (name, id) in Ids)
            await client.WaitForDocumentAsync(id, name == BrokenName ? "failed" : "processed");
    }

    Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
}

public sealed class PostgresDashboardFixture() : DashboardFixture(TestDatabase.Postgres);

/// <summary>The dashboard's list: search, filters, sorting and paging.</summary>
public abstract class DashboardTests(DashboardFixture fixture)
{
    private readonly HttpClient _client = fixture.CreateAuthenticatedClient();
    private readonly HttpClient _admin = fixture.CreateAuthenticatedClient(Roles.Admin);

    private async Task<JsonElement[]> ItemsAsync(string query)
    {
        var page = await _client.GetJsonAsync($"/api/v1/documents?page_size=200&{query}");
        return page.GetProperty("items").EnumerateArray().ToArray();
    }

    private static IEnumerable<string> Names(IEnumerable<JsonElement> items) => items.Select(i => i.Str("filename"));

    [Fact]
    public async Task Searching_FindsDocumentsByFilename()
    {
        Assert.Equal(["sample-memo.md"], Names(await ItemsAsync("q=sample-memo")));
        Assert.Equal([DashboardFixture.NoteName], Names(await ItemsAsync("q=zebra")));
        Assert.Equal(5, (await ItemsAsync("q=sample-")).Length);
    }

    [Fact]
    public async Task Searching_IgnoresLetterCase()
    {
        Assert.Equal(["sample-memo.md"], Names(await ItemsAsync("q=SAMPLE-Memo")));
        Assert.Equal([DashboardFixture.NoteName], Names(await ItemsAsync("q=ZEBRA")));
        Assert.Equal([DashboardFixture.NoteName], Names(await ItemsAsync($"q={DashboardFixture.WordOnlyInTheNote.ToUpperInvariant()}")));
    }

    [Fact]
    public async Task Searching_FindsDocumentsByExtractedText()
    {
        Assert.Equal([DashboardFixture.NoteName], Names(await ItemsAsync($"q={DashboardFixture.WordOnlyInTheNote}")));
        // Deep in the report sample's text, not in its title or any filename.
        Assert.Equal(["sample-report.txt"], Names(await ItemsAsync("q=zero-trust%20architecture")));
        Assert.Empty(await ItemsAsync("q=no-document-says-this"));
    }

    [Fact]
    public async Task FilteringByStatus_ReturnsOnlyDocumentsInThatStatus()
    {
        var failed = await ItemsAsync("status=failed");
        Assert.Equal([DashboardFixture.BrokenName], Names(failed));
        Assert.False(string.IsNullOrEmpty(failed[0].StrOrNull("failure_reason")));

        var processed = await ItemsAsync("status=processed");
        Assert.Equal(fixture.Ids.Keys.Where(n => n != DashboardFixture.BrokenName).Order(), Names(processed).Order());
        Assert.Empty(await ItemsAsync("status=finalized"));
    }

    [Fact]
    public async Task FilteringByCategory_ReturnsOnlyDocumentsOfThatCategory()
    {
        var all = await ItemsAsync("");
        var memoCategory = all.Single(i => i.Str("filename") == "sample-memo.md").Str("category");
        var expected = all.Where(i => i.StrOrNull("category") == memoCategory).Select(i => i.Str("filename")).Order().ToList();
        Assert.True(expected.Count < all.Length, "the category filter would not filter anything out");

        var filtered = await ItemsAsync($"category={Uri.EscapeDataString(memoCategory)}");

        Assert.Equal(expected, Names(filtered).Order());
        Assert.All(filtered, i => Assert.Equal(memoCategory, i.Str("category")));
    }

    [Fact]
    public async Task SortingByFilename_OrdersAscendingAndDescending()
    {
        var expected = fixture.Ids.Keys.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, Names(await ItemsAsync("sort=filename&order=asc")));
        Assert.Equal(Enumerable.Reverse(expected), Names(await ItemsAsync("sort=filename&order=desc")));
    }

    [Fact]
    public async Task DeadLetters_AreFoundByTheirErrorText_InAnyLetterCase()
    {
        var all = (await _admin.GetJsonAsync("/api/v1/admin/failed-jobs")).GetProperty("items").EnumerateArray().ToArray();
        var deadLetter = Assert.Single(all);
        Assert.Equal(fixture.Ids[DashboardFixture.BrokenName], deadLetter.Guid("document_id"));
        var error = deadLetter.Str("last_error");
        var part = error[..Math.Min(error.Length, 16)];

        foreach (var search in new[] { part, part.ToUpperInvariant(), part.ToLowerInvariant() })
        {
            var found = (await _admin.GetJsonAsync($"/api/v1/admin/failed-jobs?error={Uri.EscapeDataString(search)}"))
                .GetProperty("items").EnumerateArray();
            Assert.Equal([deadLetter.Guid("job_id")], found.Select(i => i.Guid("job_id")));
        }
        Assert.Empty((await _admin.GetJsonAsync("/api/v1/admin/failed-jobs?error=no-job-failed-like-this")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Stats_CountTheJobsAndDocumentsByState()
    {
        var stats = await _admin.GetJsonAsync("/api/v1/admin/stats");

        Assert.Equal(6, stats.GetProperty("jobs_by_state").Int("succeeded"));
        Assert.Equal(1, stats.GetProperty("jobs_by_state").Int("failed"));
        Assert.Equal(6, stats.GetProperty("documents_by_status").Int("processed"));
        Assert.Equal(0, stats.Int("queue_depth"));
        Assert.Equal(1, stats.Int("dead_letters"));
    }

    [Fact]
    public async Task Paging_ReturnsEveryDocumentExactlyOnce_WithTotals()
    {
        var seen = new List<Guid>();
        for (var number = 1; number <= 3; number++)
        {
            var page = await _client.GetJsonAsync($"/api/v1/documents?page={number}&page_size=3&sort=filename&order=asc");
            Assert.Equal(number, page.Int("page"));
            Assert.Equal(3, page.Int("page_size"));
            Assert.Equal(7, page.Int("total"));
            Assert.Equal(3, page.Int("total_pages"));
            var items = page.GetProperty("items").EnumerateArray().Select(i => i.Guid("id")).ToList();
            Assert.Equal(number < 3 ? 3 : 1, items.Count);
            seen.AddRange(items);
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(fixture.Ids.Values.Order(), seen.Order());
        var beyond = await _client.GetJsonAsync("/api/v1/documents?page=4&page_size=3");
        Assert.Empty(beyond.GetProperty("items").EnumerateArray());
        Assert.Equal(7, beyond.Int("total"));
    }
}

/// <summary>Deleting removes the document, its jobs and its stored file.</summary>
public abstract class DeleteDocumentTests(DocketFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    /// <summary>A small text file's bytes are stored in the database (decision 63), a larger one's in a file.</summary>
    [Theory]
    [InlineData(40, 1, 0)]
    [InlineData(65_536, 1, 0)]
    [InlineData(65_537, 0, 1)]
    [InlineData(70_000, 0, 1)]
    public async Task DeletingADocument_RemovesItAndItsStoredBytes(int length, int rowsStored, int filesStored)
    {
        var line = "A letter to be shredded after reading.\n";
        var content = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(line, length / line.Length + 1))[..length]);
        var (id, jobId) = await _client.UploadOneAsync("shred-me.txt", content);
        await _client.WaitForDocumentAsync(id, "processed");
        Assert.Equal(content, await _client.GetByteArrayAsync($"/api/v1/documents/{id}/file"));
        Assert.Equal(filesStored, StoredFilesOf(id).Count());
        Assert.Equal(rowsStored, await StoredRowsOfAsync(id));

        using (var deleted = await _client.DeleteAsync($"/api/v1/documents/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        foreach (var path in new[] { $"/api/v1/documents/{id}", $"/api/v1/documents/{id}/status", $"/api/v1/documents/{id}/file", $"/api/v1/jobs/{jobId}" })
        {
            using var response = await _client.GetAsync(path);
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
        Assert.DoesNotContain((await _client.GetJsonAsync("/api/v1/documents?page_size=200")).GetProperty("items").EnumerateArray(),
            i => i.Guid("id") == id);
        Assert.Empty(StoredFilesOf(id));
        Assert.Equal(0, await StoredRowsOfAsync(id));
        using var again = await _client.DeleteAsync($"/api/v1/documents/{id}");
        await again.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task DeletingADocumentWhileItsJobRuns_LeavesNothingBehind_AndTheWorkerCarriesOn()
    {
        var gate = new GateStage("hold", Docket.Core.Pipeline.PipelinePhase.Parsing);
        // One slot: the next document is processed only once the worker has let go of the deleted one.
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Queue:Concurrency"] = "1" },
            gate.AfterExtraction(), factory.Database);
        var client = server.CreateAuthenticatedClient();
        var (id, jobId) = await client.UploadTextAsync("in-flight.txt", "Deleted while a worker still reads it.");
        Assert.Equal(id, await gate.ArrivalAsync());

        using (var deleted = await client.DeleteAsync($"/api/v1/documents/{id}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        gate.Open();

        // The worker finds its job gone, drops what it made, and takes the next one.
        var (nextId, _) = await client.UploadTextAsync("next.txt", "The next document in the queue.");
        await client.WaitForDocumentAsync(nextId, "processed");
        using (var job = await client.GetAsync($"/api/v1/jobs/{jobId}"))
            await job.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        var page = await client.GetJsonAsync("/api/v1/documents");
        Assert.Equal([nextId], page.GetProperty("items").EnumerateArray().Select(i => i.Guid("id")));
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Docket.Data.Model.DocketDbContext>();
        Assert.Equal([nextId], await db.DocumentContents.Select(c => c.DocumentId).ToListAsync());
    }

    private async Task<int> StoredRowsOfAsync(Guid id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Docket.Data.Model.DocketDbContext>();
        return await db.DocumentContents.CountAsync(c => c.DocumentId == id);
    }

    private IEnumerable<string> StoredFilesOf(Guid id) =>
        Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "files"), "*", SearchOption.AllDirectories)
            .Where(path => Path.GetFileName(path).Contains(id.ToString("N"), StringComparison.Ordinal));
}

/// <summary><see cref="DashboardTests"/> on SQLite.</summary>
public sealed class DashboardTestsOnSqlite(DashboardFixture fixture) : DashboardTests(fixture), IClassFixture<DashboardFixture>;

/// <summary><see cref="DashboardTests"/> on PostgreSQL.</summary>
public sealed class DashboardTestsOnPostgres(PostgresDashboardFixture fixture) : DashboardTests(fixture), IClassFixture<PostgresDashboardFixture>;

/// <summary><see cref="DeleteDocumentTests"/> on SQLite.</summary>
public sealed class DeleteDocumentTestsOnSqlite(DocketFactory fixture) : DeleteDocumentTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="DeleteDocumentTests"/> on PostgreSQL.</summary>
public sealed class DeleteDocumentTestsOnPostgres(PostgresDocketFactory fixture) : DeleteDocumentTests(fixture), IClassFixture<PostgresDocketFactory>;
