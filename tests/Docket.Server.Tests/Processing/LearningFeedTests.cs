using System.Collections.Concurrent;
using System.Net;
using Docket.Core.Learning;
using Docket.Server.Tests.Infrastructure;
using Docket.Data.Model;
using Docket.Server.Processing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Processing;

/// <summary>
/// What people finalise reaches every learner: at once in the process that finalised it, by polling in
/// the others, and again after a restart, from the database alone.
/// </summary>
public sealed class LearningFeedTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "docket-learning-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task ApprovingADocument_TeachesTheLearners_BeforeTheApprovalAnswers_WithTheReviewersCorrections()
    {
        var learner = new RecordingLearner();
        await using var server = Server(learner);
        using var client = server.CreateAuthenticatedClient();
        var (id, _) = await client.ProcessedTextAsync("invoice.txt", "INVOICE\nInvoice number: A-17\nTotal: 120.00 EUR\n");
        using (var edit = await client.PutReviewAsync(id, new { fields = new { invoice_number = "A-18" }, category = "receipt" },
                   await client.ETagAsync(id)))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);

        var example = Assert.Single(learner.Examples);
        Assert.Equal(id, example.DocumentId);
        Assert.Equal("invoice.txt", example.FileName);
        Assert.Contains("Invoice number: A-17", example.Text);
        Assert.Equal("invoice", example.MachineCategory);
        Assert.Equal("receipt", example.FinalCategory);
        Assert.Equal("A-17", example.MachineFields["invoice_number"].Value);
        var correction = Assert.Single(example.Corrections());
        Assert.Equal(("invoice_number", "A-17", "A-18"), correction);
    }

    [Fact]
    public async Task AfterARestart_TheLearnersAreRebuiltFromTheFinalisedDocuments_InFinalisationOrder_BeforeAnyRequest()
    {
        var finalised = new List<Guid>();
        await using (var first = Server(new RecordingLearner()))
        {
            using var client = first.CreateAuthenticatedClient();
            var rejected = await client.ProcessedTextAsync("rejected.txt", "A memo nobody wanted.");
            await client.PostJsonAsync($"/api/v1/review/{rejected.DocumentId}/reject", null, HttpStatusCode.OK);
            foreach (var name in new[] { "b.txt", "a.txt", "c.txt" })
            {
                var (id, _) = await client.ProcessedTextAsync(name, $"Letter {name}: thank you for your order.");
                await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
                finalised.Add(id);
            }
            await client.ProcessedTextAsync("pending.txt", "Processed but never approved.");
        }

        var learner = new RecordingLearner();
        await using var second = Server(learner);
        _ = second.Services; // starts the host: hosted services have run StartAsync, no request made

        Assert.Equal(finalised, learner.Examples.Select(example => example.DocumentId));
    }

    [Fact]
    public async Task ADocumentFinalisedByAnotherProcess_ReachesThisProcessesLearners_ByPolling()
    {
        var elsewhere = new RecordingLearner();
        await using var apiNode = Server(new RecordingLearner());
        await using var workerNode = Server(elsewhere, noWorker: false, pollInterval: "00:00:00.100");
        _ = workerNode.Services;
        using var client = apiNode.CreateAuthenticatedClient();

        var (id, _) = await client.ProcessedTextAsync("contract.txt", "This agreement is made between the parties.");
        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);

        await Wait.UntilAsync(() => Task.FromResult(elsewhere.Examples.ToArray()), examples => examples.Length == 1,
            "the other process to learn the finalised document");
        Assert.Equal(id, elsewhere.Examples.Single().DocumentId);
        await Task.Delay(300);
        Assert.Single(elsewhere.Examples); // later polls re-read the overlap window but skip what was learned
    }

    [Fact]
    public async Task ALearnerThatThrows_DoesNotKeepTheOthersFromLearning_NorFailTheApproval()
    {
        var learner = new RecordingLearner();
        await using var server = DocketFactory.Create(Settings(), services: services =>
        {
            services.AddSingleton<ILearner>(new ThrowingLearner());
            services.AddSingleton<ILearner>(learner);
        });
        using var client = server.CreateAuthenticatedClient();
        var (id, _) = await client.ProcessedTextAsync("memo.txt", "Memo: the office is closed on Friday.");

        var decision = await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);

        Assert.Equal("finalized", decision.Str("outcome"));
        Assert.Equal(id, Assert.Single(learner.Examples).DocumentId);
    }

    [Fact]
    public async Task ThePollForNewlyFinalisedDocuments_ReadsARangeOfAnIndex_OnSqlite()
    {
        // Every process polls every two seconds: on a million documents a scan and a sort each time.
        await using var server = new DocketFactory();
        foreach (var query in FeedQueries(server))
        {
            var plan = await QueryPlans.SqliteAsync(query);
            Assert.True(plan.Any(step => step.Contains("INDEX ix_documents_finalized", StringComparison.Ordinal)), query.ToQueryString() + "\n" + string.Join("\n", plan));
            Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ThePollForNewlyFinalisedDocuments_CanUseTheFinalisedIndex_OnPostgres()
    {
        // An empty table is scanned whatever the indexes; without that choice the plan shows the partial index matches the query.
        await using var server = new PostgresDocketFactory();
        foreach (var query in FeedQueries(server))
        {
            await using var command = query.CreateDbCommand();
            if (command.Connection!.State != System.Data.ConnectionState.Open) await command.Connection.OpenAsync();
            await using (var discourage = command.Connection.CreateCommand())
            {
                discourage.CommandText = "SET enable_seqscan = off; SET enable_sort = off";
                await discourage.ExecuteNonQueryAsync();
            }
            command.CommandText = "EXPLAIN " + command.CommandText;
            var plan = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

            Assert.Contains(plan, step => step.Contains("ix_documents_finalized", StringComparison.Ordinal));
            Assert.DoesNotContain(plan, step => step.TrimStart(' ', '-', '>').StartsWith("Sort", StringComparison.Ordinal));
        }
    }

    private static IEnumerable<IQueryable<LearningFeed.Stamp>> FeedQueries(DocketFactory server)
    {
        var db = server.Services.CreateScope().ServiceProvider.GetRequiredService<DocketDbContext>();
        yield return LearningFeed.FinalisedSince(db, DateTimeOffset.UtcNow.AddSeconds(-30));
        yield return LearningFeed.MostRecentlyFinalised(db, 10_000);
    }

    private DocketFactory Server(RecordingLearner learner, bool noWorker = false, string pollInterval = "00:00:05") =>
        DocketFactory.Create(Settings(noWorker, pollInterval), services: services => services.AddSingleton<ILearner>(learner));

    private Dictionary<string, string?> Settings(bool noWorker = false, string pollInterval = "00:00:05") => new()
    {
        ["Docket:DataDirectory"] = _dataDirectory,
        ["Server:NoWorker"] = noWorker ? "true" : "false",
        ["Learning:PollInterval"] = pollInterval,
    };

    private sealed class RecordingLearner : ILearner
    {
        public ConcurrentQueue<FinalisedExample> Examples { get; } = new();

        public void Learn(FinalisedExample example) => Examples.Enqueue(example);
    }

    private sealed class ThrowingLearner : ILearner
    {
        public void Learn(FinalisedExample example) => throw new InvalidOperationException("a learner with a bug");
    }
}
