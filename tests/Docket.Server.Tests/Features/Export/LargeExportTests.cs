using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Export;

/// <summary>A bulk export is read in batches of 500 (each batch's duplicates one query): more than one batch loses and repeats nothing.</summary>
public abstract class LargeExportTests(DocketFactory factory)
{
    [Fact]
    public async Task AnExportOfMoreThanOneBatch_HoldsEveryFinalisedDocumentOnce_InFinalisationOrder()
    {
        using var client = factory.CreateAccount().CreateClient();
        var ids = new List<Guid>();
        // 100 files is the most one upload takes.
        foreach (var chunk in Enumerable.Range(0, 503).Chunk(100))
            ids.AddRange((await client.UploadAsync(chunk.Select(i => ApiClient.TextFile($"memo-{i}.txt",
                $"Memo {i}: the office is closed on Friday {i}.")).ToArray())).Select(d => d.Guid("id")));
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            await client.WaitForDocumentAsync(id, "processed");
            await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        });

        var records = (await client.GetJsonAsync("/api/v1/export?format=json")).EnumerateArray().ToList();

        Assert.Equal(ids.Order(), records.Select(r => r.Guid("document_id")).Order());
        var finalised = records.Select(r => r.GetProperty("finalized_at").GetDateTimeOffset()).ToList();
        Assert.Equal(finalised.Order(), finalised);
    }
}

/// <summary><see cref="LargeExportTests"/> on SQLite.</summary>
public sealed class LargeExportTestsOnSqlite(DocketFactory fixture) : LargeExportTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="LargeExportTests"/> on PostgreSQL.</summary>
public sealed class LargeExportTestsOnPostgres(PostgresDocketFactory fixture) : LargeExportTests(fixture), IClassFixture<PostgresDocketFactory>;
