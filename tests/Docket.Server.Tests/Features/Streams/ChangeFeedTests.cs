using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Streams;
using Docket.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Streams;

/// <summary>GET /events/stream: one connection that follows all of the caller's documents.</summary>
public sealed class ChangeFeedTests : IAsyncLifetime
{
    private readonly DocketFactory _server = DocketFactory.Create(new Dictionary<string, string?>
    {
        ["Streams:FeedPollInterval"] = "00:00:00.050",
        ["Streams:KeepAliveInterval"] = "00:00:00.300",
    });

    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _client = _server.CreateAuthenticatedClient();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task TheFeed_CarriesEveryProgressEventOfANewUpload_AndItsDocumentReachingProcessed()
    {
        await using var feed = await EventStream.OpenAsync(_client, "/api/v1/events/stream");
        var (documentId, jobId) = await _client.UploadTextAsync("feed.txt", "A memo that the dashboard watches.");

        var frames = await feed.ReadUntilAsync(f => f.Event == "document" && f.Json.Str("status") == "processed");

        var events = frames.Where(f => f.Event is null && f.Data is not null).ToList();
        Assert.Equal((await _client.JobEventsAsync(jobId)).Select(e => e.GetRawText()), events.Select(e => e.Json.GetRawText()));
        Assert.All(events, e => Assert.Equal(e.Id, e.Json.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture)));
        Assert.Equal("job_completed", events[^1].Json.Str("event"));
        var processed = frames[^1].Json;
        Assert.Equal(documentId, processed.Guid("id"));
        Assert.Equal(100, processed.Int("progress"));
    }

    [Fact]
    public async Task AnApproval_ReachesTheFeedAsADocumentFrame_ThoughItIsNoProgressEvent()
    {
        var (documentId, _) = await _client.ProcessedTextAsync("approve-me.txt", "A letter to be approved while the feed watches.");
        await using var feed = await EventStream.OpenAsync(_client, "/api/v1/events/stream");

        await _client.PostJsonAsync($"/api/v1/review/{documentId}/approve", null, HttpStatusCode.OK);
        var frames = await feed.ReadUntilAsync(f => f.Event == "document" && f.Json.Str("status") == "finalized");

        Assert.Equal(documentId, frames[^1].Json.Guid("id"));
    }

    [Fact]
    public async Task AFeedResumedWithLastEventId_ReplaysWhatItMissed()
    {
        var (_, firstJob) = await _client.ProcessedTextAsync("first.txt", "The first memo.");
        var seen = (await _client.JobEventsAsync(firstJob))[^1].GetProperty("id").GetInt64();
        var (_, missedJob) = await _client.ProcessedTextAsync("missed.txt", "A memo processed while the feed was away.");

        await using var feed = await EventStream.OpenAsync(_client, "/api/v1/events/stream", lastEventId: seen);
        var frames = await feed.ReadUntilAsync(f => f.Event is null && f.Data is not null && f.Json.Str("event") == "job_completed");

        var replayed = frames.Where(f => f.Event is null && f.Data is not null).Select(f => f.Json.GetRawText());
        Assert.Equal((await _client.JobEventsAsync(missedJob)).Select(e => e.GetRawText()), replayed);
    }

    [Fact]
    public async Task ManyFeeds_ServedByOneReadOfTheTables_EachCarryEveryEventOnce_InOrder()
    {
        var feeds = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => EventStream.OpenAsync(_client, "/api/v1/events/stream")));
        try
        {
            var (_, first) = await _client.UploadTextAsync("one.txt", "A memo for twenty viewers.");
            var (_, second) = await _client.UploadTextAsync("two.txt", "Another memo for the same viewers.");

            var received = await Task.WhenAll(feeds.Select(feed =>
            {
                var done = new HashSet<string?>();
                return feed.ReadUntilAsync(f => f.Event is null && f.Data is not null && f.Json.Str("event") == "job_completed"
                    && done.Add(f.Json.Str("job_id")) && done.Count == 2);
            }));

            var expected = (await _client.JobEventsAsync(first)).Concat(await _client.JobEventsAsync(second))
                .OrderBy(e => e.GetProperty("id").GetInt64()).Select(e => e.GetRawText()).ToList();
            Assert.All(received, frames => Assert.Equal(expected,
                frames.Where(f => f.Event is null && f.Data is not null).Select(f => f.Json.GetRawText())));
        }
        finally
        {
            foreach (var feed in feeds) await feed.DisposeAsync();
        }
    }

    [Fact]
    public async Task AUsersFeed_CarriesTheirOwnDocuments_AndNothingOfAnotherUsers_WhileAReviewersFeedCarriesEveryones()
    {
        var alice = _server.CreateAccount().CreateClient();
        var bob = _server.CreateAccount().CreateClient();
        var bobsUpload = bob.ProcessedTextAsync("bob.txt", "Bob's memo, which Alice does not see.");
        await using var alicesFeed = await EventStream.OpenAsync(alice, "/api/v1/events/stream");
        var (bobsDocument, _) = await bobsUpload;
        var reviewer = _server.CreateAuthenticatedClient(Roles.Reviewer);
        await using var everyonesFeed = await EventStream.OpenAsync(reviewer, "/api/v1/events/stream");

        var (alicesDocument, alicesJob) = await alice.UploadTextAsync("alice.txt", "Alice's memo.");
        // A round reads events, then documents: a job that finishes in between shows as processed one round
        // before its last events arrive, so the feed is read until both have.
        var sawProcessed = false;
        var sawCompleted = false;
        var alicesFrames = await alicesFeed.ReadUntilAsync(f =>
        {
            sawProcessed |= f.Event == "document" && f.Json.Guid("id") == alicesDocument && f.Json.Str("status") == "processed";
            sawCompleted |= f.Event is null && f.Data is not null && f.Json.Str("event") == "job_completed" && f.Json.Guid("job_id") == alicesJob;
            return sawProcessed && sawCompleted;
        });
        var everyonesFrames = await everyonesFeed.ReadUntilAsync(f =>
            f.Event is null && f.Data is not null && f.Json.Str("event") == "job_completed" && f.Json.Guid("job_id") == alicesJob);

        // Bob's document was processed before Alice's upload, so whatever of his could leak came earlier on the same feed.
        Assert.DoesNotContain(alicesFrames, f => f.Data is not null && f.Data.Contains(bobsDocument.ToString(), StringComparison.Ordinal));
        var alicesEvents = (await alice.JobEventsAsync(alicesJob)).Select(e => e.GetRawText()).ToList();
        Assert.Equal(alicesEvents, alicesFrames.Where(f => f.Event is null && f.Data is not null).Select(f => f.Json.GetRawText()));
        Assert.Equal(alicesEvents, everyonesFrames.Where(f => f.Event is null && f.Data is not null).Select(f => f.Json.GetRawText()));
    }

    [Fact]
    public async Task ThousandsOfClients_AreEachHandedEveryEvent_OnceAndInOrder()
    {
        // The hub hands every subscription a slice of one shared buffer per round; none may be skipped or served twice.
        var hub = _server.Services.GetRequiredService<ChangeFeedHub>();
        var subscriptions = Enumerable.Range(0, 2_500).Select(_ => hub.Join(new CurrentUser(Guid.NewGuid(), Roles.Admin), through: 0)).ToList();
        try
        {
            var (_, jobId) = await _client.UploadTextAsync("watched-by-many.txt", "A memo that thousands of dashboards watch.");
            await _client.WaitForJobStateAsync(jobId, "succeeded");
            var expected = (await _client.JobEventsAsync(jobId)).Select(e => e.GetProperty("id").GetInt64()).ToList();

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            foreach (var subscription in subscriptions)
            {
                var received = new List<long>();
                while (received.Count < expected.Count && await subscription.Frames.WaitToReadAsync(timeout.Token))
                    while (subscription.Frames.TryRead(out var frames))
                        received.AddRange(Regex.Matches(Encoding.UTF8.GetString(frames.Span), "^id: (\\d+)$", RegexOptions.Multiline)
                            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
                Assert.Equal(expected, received);
            }
        }
        finally
        {
            foreach (var subscription in subscriptions) subscription.Leave();
        }
    }

    [Fact]
    public async Task AQuietFeed_SendsKeepAlives()
    {
        await using var feed = await EventStream.OpenAsync(_client, "/api/v1/events/stream");

        var frames = await feed.ReadUntilAsync(f => f.IsCommentOnly);

        Assert.Contains("keep-alive", frames[^1].Comments);
    }

    [Fact]
    public async Task TheHubsLookForChangedDocuments_ReadsARangeOfAnIndex_NotTheWholeTable()
    {
        // It runs once a second while anyone watches: on a table of a million documents a scan and a sort each time.
        await using var scope = _server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var plan = await QueryPlans.SqliteAsync(ChangeFeedHub.ChangedDocuments(db, DateTimeOffset.UtcNow).Take(2001));

        Assert.Contains(plan, step => step.Contains("USING INDEX ix_documents_updated (updated_at>?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }
}
