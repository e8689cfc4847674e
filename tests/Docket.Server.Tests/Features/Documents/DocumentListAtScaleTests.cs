using System.Text.Json;
using Docket.Core.Documents;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Documents;
using Docket.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>
/// The list past <see cref="PageRequest.CountLimit"/> documents: more rows than uploading could make
/// in a test, so they are written straight into the server's database, as the list bench does.
/// </summary>
public abstract class DocumentListAtScaleTests(NoWorkerFactory server)
{
    private const int Seeded = PageRequest.CountLimit + 50;
    private const string OldWord = "marmalade";
    private const string CurrentWord = "gooseberry";

    private static readonly SemaphoreSlim SeedOnce = new(1, 1);
    private static readonly Dictionary<NoWorkerFactory, (HttpClient Client, Guid Reprocessed)> Seeds = [];

    /// <summary>One account holding <see cref="Seeded"/> documents, a few of them failed, and one reprocessed document whose old result says <see cref="OldWord"/>.</summary>
    private async Task<(HttpClient Client, Guid Reprocessed)> SeedAsync()
    {
        await SeedOnce.WaitAsync();
        try
        {
            if (Seeds.TryGetValue(server, out var seeded)) return seeded;
            var account = server.CreateAccount();
            using var scope = server.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            var start = DateTimeOffset.UtcNow.AddDays(-30);
            var documents = Enumerable.Range(0, Seeded).Select(i => new Document
            {
                Id = Guid.CreateVersion7(),
                OwnerId = account.Id,
                Filename = $"seeded-{i:D5}.txt",
                FileType = "txt",
                ContentType = "text/plain",
                SizeBytes = 100,
                Sha256 = $"{i:x64}",
                StorageKey = $"documents/seeded-{i}",
                Status = i % 1000 == 0 ? DocumentStatus.Failed : DocumentStatus.Queued,
                Version = 1,
                CreatedAt = start.AddSeconds(i),
                UpdatedAt = start.AddSeconds(i),
            }).ToList();
            var reprocessed = documents[^1];
            reprocessed.Status = DocumentStatus.Processed;
            ResultVersion Result(int version, string word) => new()
            {
                Id = Guid.CreateVersion7(),
                DocumentId = reprocessed.Id,
                JobId = Guid.CreateVersion7(),
                Version = version,
                Content = $"Version {version} of the minutes mentions {word} once.",
                Data = "{}",
                CreatedAt = reprocessed.CreatedAt,
            };
            var results = new[] { Result(1, OldWord), Result(2, CurrentWord) };
            reprocessed.CurrentResultId = results[1].Id;
            db.Documents.AddRange(documents);
            await db.SaveChangesAsync();
            db.Results.AddRange(results);
            await db.SaveChangesAsync();
            return Seeds[server] = (account.CreateClient(), reprocessed.Id);
        }
        finally
        {
            SeedOnce.Release();
        }
    }

    [Fact]
    public async Task PastTheCountLimit_TheTotalIsALowerBound_AndTheNextPageIsKnownToExist()
    {
        var (client, _) = await SeedAsync();
        var page = await client.GetJsonAsync("/api/v1/documents");

        Assert.Equal(20, page.GetProperty("items").GetArrayLength());
        Assert.Equal(PageRequest.CountLimit, page.Int("total"));
        Assert.False(page.GetProperty("total_is_exact").GetBoolean());
        Assert.Equal(PageRequest.CountLimit / 20 + 1, page.Int("total_pages"));
    }

    [Fact]
    public async Task OnAPageBeyondTheCountLimit_TheTotalIsExactAgain()
    {
        var (client, _) = await SeedAsync();
        var last = await client.GetJsonAsync($"/api/v1/documents?page_size=200&page={Seeded / 200 + 1}");

        Assert.Equal(Seeded % 200, last.GetProperty("items").GetArrayLength());
        Assert.Equal(Seeded, last.Int("total"));
        Assert.True(last.GetProperty("total_is_exact").GetBoolean());
        Assert.Equal(Seeded / 200 + 1, last.Int("total_pages"));
    }

    [Fact]
    public async Task UnderTheCountLimit_AFilteredTotalIsExact()
    {
        var (client, _) = await SeedAsync();
        var failed = await client.GetJsonAsync("/api/v1/documents?status=failed&page_size=200");

        var expected = Enumerable.Range(0, Seeded - 1).Count(i => i % 1000 == 0);
        Assert.Equal(expected, failed.Int("total"));
        Assert.True(failed.GetProperty("total_is_exact").GetBoolean());
        Assert.All(failed.GetProperty("items").EnumerateArray(), d => Assert.Equal("failed", d.Str("status")));
    }

    [Fact]
    public async Task ASearchPastTheCountLimit_GivesALowerBound_AndItsFirstPageInOrder()
    {
        var (client, _) = await SeedAsync();
        var page = await client.GetJsonAsync("/api/v1/documents?q=seeded");

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"seeded-{Seeded - 1 - i:D5}.txt"),
            page.GetProperty("items").EnumerateArray().Select(d => d.Str("filename")));
        Assert.Equal(PageRequest.CountLimit, page.Int("total"));
        Assert.False(page.GetProperty("total_is_exact").GetBoolean());
    }

    [Fact]
    public async Task ASearchOnAPageBeyondTheCountLimit_IsExactAgain_AndInOrder()
    {
        var (client, _) = await SeedAsync();
        var last = await client.GetJsonAsync($"/api/v1/documents?q=seeded&sort=filename&order=asc&page_size=200&page={Seeded / 200 + 1}");

        Assert.Equal(Enumerable.Range(Seeded / 200 * 200, Seeded % 200).Select(i => $"seeded-{i:D5}.txt"),
            last.GetProperty("items").EnumerateArray().Select(d => d.Str("filename")));
        Assert.Equal(Seeded, last.Int("total"));
        Assert.True(last.GetProperty("total_is_exact").GetBoolean());
    }

    [Fact]
    public async Task Searching_MatchesTheCurrentResult_NotAnEarlierOne()
    {
        var (client, reprocessed) = await SeedAsync();

        var current = await client.GetJsonAsync($"/api/v1/documents?q={CurrentWord.ToUpperInvariant()}");
        Assert.Equal([reprocessed], current.GetProperty("items").EnumerateArray().Select(d => d.Guid("id")));
        Assert.True(current.GetProperty("total_is_exact").GetBoolean());
        Assert.Empty((await client.GetJsonAsync($"/api/v1/documents?q={OldWord}")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AnotherUser_SeesNoneOfThem_EvenWhenSearching()
    {
        await SeedAsync();
        var stranger = server.CreateAuthenticatedClient();

        Assert.Equal(0, (await stranger.GetJsonAsync("/api/v1/documents")).Int("total"));
        Assert.Equal(0, (await stranger.GetJsonAsync($"/api/v1/documents?q={CurrentWord}")).Int("total"));
    }
}

/// <summary><see cref="DocumentListAtScaleTests"/> on SQLite.</summary>
public sealed class DocumentListAtScaleTestsOnSqlite(NoWorkerFactory server) : DocumentListAtScaleTests(server), IClassFixture<NoWorkerFactory>;

/// <summary><see cref="DocumentListAtScaleTests"/> on PostgreSQL.</summary>
public sealed class DocumentListAtScaleTestsOnPostgres(PostgresNoWorkerFactory server) : DocumentListAtScaleTests(server), IClassFixture<PostgresNoWorkerFactory>
{
    /// <summary>
    /// The title and review trigram indexes hold only the documents that have one (decision 66); a search must still
    /// be able to read them. With sequential scans priced out, a column whose index the search could not use would be
    /// read row by row instead.
    /// </summary>
    [Fact]
    public async Task ASearch_ReadsTheTrigramIndexOfEveryColumnItMatches()
    {
        using var scope = server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        await using var explain = DocumentsApi.Matching(db.Documents, db.Results, "gooseberry").CreateDbCommand();
        explain.CommandText = "EXPLAIN " + explain.CommandText;
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

        Assert.All(new[] { "filename", "title", "review" }, column =>
            Assert.Contains(plan, line => line.Contains($"Bitmap Index Scan on ix_documents_{column}_trgm", StringComparison.Ordinal)));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan on documents", StringComparison.Ordinal));
    }
}
