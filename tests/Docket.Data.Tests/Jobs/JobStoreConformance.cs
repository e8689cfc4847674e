using System.Collections.Concurrent;
using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Storage;

namespace Docket.Data.Tests.Jobs;

/// <summary>
/// The behaviour every <see cref="IJobStore"/> backend must have (River's riverdrivertest idea):
/// a backend subclasses this and supplies a fresh, migrated database plus a few reads in its own
/// SQL; every test goes through <see cref="IJobStore"/> wherever the contract allows.
/// </summary>
public abstract class JobStoreConformance : IAsyncLifetime
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static readonly DocumentStatus[] ReprocessFrom = [DocumentStatus.Processed, DocumentStatus.Rejected, DocumentStatus.Failed];
    private static readonly DocumentStatus[] RetryFrom = [DocumentStatus.Failed, DocumentStatus.Cancelled];

    protected ManualClock Clock { get; } = new();

    protected QueueOptions Options { get; } = new() { MaxAttempts = 3 };

    /// <summary>The bus the store publishes on; tests subscribe to it before acting.</summary>
    protected RecordingEventBus Bus { get; } = new(new InProcessEventBus());

    protected IJobStore Store { get; private set; } = null!;

    /// <summary>An owner that exists in the fresh database (migrations create the default user).</summary>
    protected virtual Guid OwnerId => DataServices.DefaultUserId;

    /// <summary>A store over a fresh, migrated database that nothing else uses.</summary>
    protected abstract Task<IJobStore> CreateStoreAsync(ManualClock clock, IEventBus bus, QueueOptions options);

    protected abstract Task DisposeStoreAsync();

    protected abstract Task<JobRow> ReadJobAsync(Guid jobId);

    protected abstract Task<DocumentRow> ReadDocumentAsync(Guid documentId);

    /// <summary>Forces a status the store has no method for (e.g. finalized, which review sets).</summary>
    protected abstract Task SetDocumentStatusAsync(Guid documentId, string status);

    /// <summary>Sets documents.review as a reviewer's edit would.</summary>
    protected abstract Task SetReviewAsync(Guid documentId, string review);

    /// <summary>The document's row of invoice_keys, or null when it has none.</summary>
    protected abstract Task<InvoiceKeysRow?> ReadInvoiceKeysAsync(Guid documentId);

    public async Task InitializeAsync() => Store = await CreateStoreAsync(Clock, Bus, Options);

    public async Task DisposeAsync() => await DisposeStoreAsync();

    // ---- AddDocuments ----

    [Fact]
    public async Task AddDocuments_StoresEachDocumentWithItsJobAndAJobQueuedEvent()
    {
        var first = NewDocument();
        var second = NewDocument();

        var added = await Store.AddDocumentsAsync([first, second], CancellationToken.None);

        Assert.Equal([first.Id, second.Id], added.Select(a => a.DocumentId));
        Assert.All(added, a => Assert.Equal(DocumentStatus.Queued, a.Status));
        Assert.NotEqual(added[0].JobId, added[1].JobId);
        foreach (var job in added)
        {
            var document = await ReadDocumentAsync(job.DocumentId);
            Assert.Equal("queued", document.Status);
            Assert.Equal(job.JobId, document.CurrentJobId);
            Assert.Equal(new JobRow("queued", 0), await ReadJobAsync(job.JobId));
            var queued = Assert.Single(await JobEventsAsync(job.JobId));
            Assert.Equal(EventNames.JobQueued, queued.Event);
            Assert.Equal(job.DocumentId, queued.DocumentId);
            Assert.Equal(Clock.GetUtcNow(), queued.Timestamp);
        }
    }

    [Fact]
    public async Task AddDocuments_NamesTheOwnersEarliestDocumentWithTheSameHash_AlsoFromEarlierInTheSameCall()
    {
        var earlier = await AddDocumentAsync();
        var again = NewDocument();
        var first = NewDocument() with { Sha256 = new string('b', 64) };
        var second = NewDocument() with { Sha256 = new string('b', 64) };
        var unique = NewDocument() with { Sha256 = new string('c', 64) };

        var added = await Store.AddDocumentsAsync([again, first, second, unique], CancellationToken.None);

        Assert.Equal([earlier.DocumentId, null, first.Id, null], added.Select(a => a.DuplicateOf));
    }

    [Fact]
    public async Task AddDocuments_StoresNothing_WhenOneOfTheDocumentsCannotBeStored()
    {
        var good = NewDocument();
        var duplicate = NewDocument();

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AddDocumentsAsync([good, duplicate, duplicate], CancellationToken.None));

        Assert.Empty(await Store.EventsAsync(EventScope.Document, good.Id, 0, 100, CancellationToken.None));
        Assert.Empty(await Store.EventsAsync(EventScope.Document, duplicate.Id, 0, 100, CancellationToken.None));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
        Assert.Single(await Store.AddDocumentsAsync([good], CancellationToken.None));
    }

    [Fact]
    public async Task AddDocuments_SignalsJobsAvailableAndPublishesJobQueued()
    {
        var document = NewDocument();
        using var available = Bus.Subscribe(BusChannels.JobsAvailable);
        using var documentChannel = Bus.Subscribe(BusChannels.Document(document.Id));

        await Store.AddDocumentsAsync([document], CancellationToken.None);

        await ReceiveAsync(available, 1);
        var published = JobEvent.FromUtf8Json((await ReceiveAsync(documentChannel, 1))[0].Span);
        Assert.Equal(EventNames.JobQueued, published.Event);
    }

    // ---- Claim ----

    [Fact]
    public async Task Claim_GivesEveryJobToExactlyOneWorker_WhenManyWorkersClaimAtOnce()
    {
        var added = await Store.AddDocumentsAsync(Enumerable.Range(0, 200).Select(_ => NewDocument()).ToList(), CancellationToken.None);
        var claims = new ConcurrentBag<(string Worker, ClaimedJob Job)>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var worker = $"worker-{w}";
            await start.Task;
            while (true)
            {
                var batch = await Store.ClaimAsync(worker, 3, Lease, CancellationToken.None);
                if (batch.Count == 0) return;
                Assert.True(batch.Count <= 3);
                foreach (var job in batch) claims.Add((worker, job));
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(workers);

        var claimedIds = claims.Select(c => c.Job.Lease.JobId).ToList();
        Assert.Equal(200, claimedIds.Count);
        Assert.Equal(added.Select(a => a.JobId).Order(), claimedIds.Order());
        Assert.All(claims, c => Assert.Equal(1, c.Job.Lease.Attempt));
        Assert.True(claims.Select(c => c.Worker).Distinct().Count() > 1, "the claims should have been spread over several workers");
    }

    [Fact]
    public async Task Claim_TakesAtMostTheLimit_OldestFirst()
    {
        var jobs = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            jobs.Add((await AddDocumentAsync()).JobId);
            Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var first = await Store.ClaimAsync("w", 2, Lease, CancellationToken.None);
        var rest = await Store.ClaimAsync("w", 10, Lease, CancellationToken.None);
        var none = await Store.ClaimAsync("w", 10, Lease, CancellationToken.None);

        // "Oldest first" is about which jobs are taken; the order of the returned list is not part of the contract.
        Assert.Equal(jobs[..2], first.Select(c => c.Lease.JobId).OrderBy(jobs.IndexOf));
        Assert.Equal(jobs[2..], rest.Select(c => c.Lease.JobId).OrderBy(jobs.IndexOf));
        Assert.Empty(none);
        Assert.Empty(await Store.ClaimAsync("w", 0, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Claim_SkipsARetryScheduledInTheFuture_UntilTheClockPassesIt()
    {
        await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        Assert.Equal(FailureOutcome.RetryScheduled,
            await Store.FailAsync(claimed.Lease, "timeout", "parsing", permanent: false, TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
        Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
        Clock.Advance(TimeSpan.FromSeconds(1));
        var again = Assert.Single(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));

        Assert.Equal(new JobLease(claimed.Lease.JobId, 2), again.Lease);
    }

    [Fact]
    public async Task Claim_MovesTheDocumentToProcessing_AndWritesJobStarted()
    {
        var document = NewDocument();
        var added = Assert.Single(await Store.AddDocumentsAsync([document], CancellationToken.None));

        var claimed = await ClaimOneAsync("worker-a");

        Assert.Equal(new JobLease(added.JobId, 1), claimed.Lease);
        Assert.Equal(document.Id, claimed.DocumentId);
        Assert.Equal(OwnerId, claimed.OwnerId);
        Assert.Equal(Options.MaxAttempts, claimed.MaxAttempts);
        Assert.Equal(document.FileName, claimed.FileName);
        Assert.Equal(document.FileType, claimed.FileType);
        Assert.Equal(document.SizeBytes, claimed.SizeBytes);
        Assert.Equal(document.StorageKey, claimed.StorageKey);
        Assert.Equal(new JobRow("running", 1), await ReadJobAsync(added.JobId));
        Assert.Equal("processing", (await ReadDocumentAsync(document.Id)).Status);
        Assert.Equal([EventNames.JobQueued, EventNames.JobStarted], (await JobEventsAsync(added.JobId)).Select(e => e.Event));
        Assert.Null(claimed.Content);
    }

    [Fact]
    public async Task BytesStoredWithADocument_ComeBackWithTheClaimOfItsJob_AndOnlyWithThatOne()
    {
        var inFile = NewDocument();
        var id = Guid.CreateVersion7();
        var content = "Invoice INV-7\nTotal 12.00 EUR\n"u8.ToArray();
        var inDatabase = NewDocument() with { Id = id, StorageKey = StorageKeys.InDatabase(id), SizeBytes = content.Length, Content = content };
        await Store.AddDocumentsAsync([inFile, inDatabase], CancellationToken.None);

        var claimed = await Store.ClaimAsync("worker-a", 2, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Null(Assert.Single(claimed, c => c.DocumentId == inFile.Id).Content);
        var withBytes = Assert.Single(claimed, c => c.DocumentId == id);
        Assert.Equal(content, withBytes.Content);
        Assert.Equal(StorageKeys.InDatabase(id), withBytes.StorageKey);
    }

    // ---- Heartbeat and rescue ----

    [Fact]
    public async Task Heartbeat_ExtendsTheLease_SoTheRescuerLeavesTheJobAlone()
    {
        await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(LeaseStatus.Held, await Store.HeartbeatAsync(claimed.Lease, Lease, CancellationToken.None));
        Clock.Advance(TimeSpan.FromSeconds(20)); // 40 s after the claim: past the first lease, inside the renewed one
        Assert.Equal(0, await Store.RescueExpiredAsync(CancellationToken.None));
        Assert.Equal(new JobRow("running", 1), await ReadJobAsync(claimed.Lease.JobId));

        Clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Heartbeat_ReportsCancelRequested_AfterCancellationWasRequested()
    {
        await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        Assert.Equal(LeaseStatus.Held, await Store.HeartbeatAsync(claimed.Lease, Lease, CancellationToken.None));

        await Store.RequestCancelAsync(claimed.Lease.JobId, OwnerId, CancellationToken.None);

        Assert.Equal(LeaseStatus.CancelRequested, await Store.HeartbeatAsync(claimed.Lease, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Rescue_RequeuesAJobWhoseLeaseExpired_AndItCanBeClaimedAgainWithTheNextAttempt()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync("worker-a");

        Clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await Store.RescueExpiredAsync(CancellationToken.None));
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));

        Assert.Equal(new JobRow("queued", 1), await ReadJobAsync(added.JobId));
        Assert.Equal("queued", (await ReadDocumentAsync(added.DocumentId)).Status);
        var retrying = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobRetrying, retrying.Event);
        Assert.False(string.IsNullOrEmpty(retrying.Error));

        var again = await ClaimOneAsync("worker-b");
        Assert.Equal(new JobLease(claimed.Lease.JobId, 2), again.Lease);
        Assert.Equal("processing", (await ReadDocumentAsync(added.DocumentId)).Status);
    }

    [Fact]
    public async Task Rescue_FailsAnExpiredJob_ThatUsedItsLastAttempt()
    {
        var added = await AddDocumentAsync();
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            Assert.Equal(attempt, (await ClaimOneAsync()).Lease.Attempt);
            Clock.Advance(Lease + TimeSpan.FromSeconds(1));
            Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));
        }

        Assert.Equal(new JobRow("failed", Options.MaxAttempts), await ReadJobAsync(added.JobId));
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("failed", document.Status);
        Assert.False(string.IsNullOrEmpty(document.FailureReason));
        var failed = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobFailed, failed.Event);
        Assert.False(string.IsNullOrEmpty(failed.Error));
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Rescue_CancelsAnExpiredJob_WhoseCancellationWasRequested()
    {
        var added = await AddDocumentAsync();
        await ClaimOneAsync();
        Assert.IsType<CancelOutcome.Requested>(await Store.RequestCancelAsync(added.JobId, OwnerId, CancellationToken.None));

        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));

        Assert.Equal("cancelled", (await ReadJobAsync(added.JobId)).State);
        Assert.Equal("cancelled", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(EventNames.JobCancelled, (await JobEventsAsync(added.JobId))[^1].Event);
    }

    // ---- Fencing: a lease that expired and was claimed again is dead ----

    [Fact]
    public async Task Heartbeat_ReturnsLost_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, fresh) = await ExpireAndClaimAgainAsync();

        Assert.Equal(LeaseStatus.Lost, await Store.HeartbeatAsync(stale.Lease, Lease, CancellationToken.None));
        Assert.Equal(LeaseStatus.Held, await Store.HeartbeatAsync(fresh.Lease, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task ReportProgress_ReturnsFalseAndStoresNothing_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, _) = await ExpireAndClaimAgainAsync();
        var before = await Store.LastEventIdAsync(EventScope.Job, stale.Lease.JobId, CancellationToken.None);

        var reported = await Store.ReportProgressAsync(stale.Lease,
            [new ProgressUpdate(EventNames.DocumentParsingStarted, "parsing", 10, "Parsing")], CancellationToken.None);

        Assert.False(reported);
        Assert.Equal(before, await Store.LastEventIdAsync(EventScope.Job, stale.Lease.JobId, CancellationToken.None));
    }

    [Fact]
    public async Task Complete_ReturnsFalseAndStoresNothing_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, _) = await ExpireAndClaimAgainAsync();

        Assert.False(await Store.CompleteAsync(stale.Lease, Result("stale"), CancellationToken.None));

        Assert.Equal(new JobRow("running", 2), await ReadJobAsync(stale.Lease.JobId));
        var document = await ReadDocumentAsync(stale.DocumentId);
        Assert.Equal("processing", document.Status);
        Assert.Equal(0, document.ResultCount);
        Assert.Null(document.Title);
        Assert.DoesNotContain(await JobEventsAsync(stale.Lease.JobId), e => e.Event == EventNames.JobCompleted);
    }

    [Fact]
    public async Task Fail_ReturnsLeaseLost_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, _) = await ExpireAndClaimAgainAsync();

        Assert.Equal(FailureOutcome.LeaseLost,
            await Store.FailAsync(stale.Lease, "boom", null, permanent: true, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(new JobRow("running", 2), await ReadJobAsync(stale.Lease.JobId));
        Assert.Equal("processing", (await ReadDocumentAsync(stale.DocumentId)).Status);
    }

    [Fact]
    public async Task AcknowledgeCancel_ReturnsFalse_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, _) = await ExpireAndClaimAgainAsync();
        await Store.RequestCancelAsync(stale.Lease.JobId, OwnerId, CancellationToken.None);

        Assert.False(await Store.AcknowledgeCancelAsync(stale.Lease, "parsing", CancellationToken.None));

        Assert.Equal(new JobRow("running", 2), await ReadJobAsync(stale.Lease.JobId));
        Assert.Equal("processing", (await ReadDocumentAsync(stale.DocumentId)).Status);
    }

    [Fact]
    public async Task ALease_IsLost_AsSoonAsTheRescuerRequeuedItsJob()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));

        Assert.Equal(LeaseStatus.Lost, await Store.HeartbeatAsync(claimed.Lease, Lease, CancellationToken.None));
        Assert.False(await Store.CompleteAsync(claimed.Lease, Result("late"), CancellationToken.None));
        Assert.Equal(FailureOutcome.LeaseLost,
            await Store.FailAsync(claimed.Lease, "late", null, permanent: true, TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(new JobRow("queued", 1), await ReadJobAsync(added.JobId));
        Assert.Equal("queued", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(0, (await ReadDocumentAsync(added.DocumentId)).ResultCount);
    }

    [Fact]
    public async Task Complete_SucceedsForTheNewLease_AfterTheStaleLeaseTriedEverything()
    {
        var (stale, fresh) = await ExpireAndClaimAgainAsync();
        await Store.HeartbeatAsync(stale.Lease, Lease, CancellationToken.None);
        await Store.ReportProgressAsync(stale.Lease, [new ProgressUpdate(EventNames.AnalysisStarted, "analysis", 50, "x")], CancellationToken.None);
        await Store.CompleteAsync(stale.Lease, Result("stale"), CancellationToken.None);
        await Store.FailAsync(stale.Lease, "boom", null, permanent: false, TimeSpan.Zero, CancellationToken.None);
        await Store.AcknowledgeCancelAsync(stale.Lease, null, CancellationToken.None);

        Assert.True(await Store.CompleteAsync(fresh.Lease, Result("fresh"), CancellationToken.None));

        Assert.Equal(new JobRow("succeeded", 2), await ReadJobAsync(fresh.Lease.JobId));
        var document = await ReadDocumentAsync(fresh.DocumentId);
        Assert.Equal("processed", document.Status);
        Assert.Equal(1, document.ResultCount);
        Assert.Equal("fresh", document.Title);
        Assert.Single(await JobEventsAsync(fresh.Lease.JobId), e => e.Event == EventNames.JobCompleted);
        Assert.DoesNotContain(await JobEventsAsync(fresh.Lease.JobId), e => e.Event == EventNames.AnalysisStarted);
    }

    [Fact]
    public async Task Complete_TellsEachCallerItsOwnOutcome_WhenAStaleCompletionArrivesAmongFreshOnes()
    {
        var (stale, fresh) = await ExpireAndClaimAgainAsync();
        await Store.AddDocumentsAsync([NewDocument(), NewDocument(), NewDocument()], CancellationToken.None);
        var others = await Store.ClaimAsync("worker-c", 3, Lease, CancellationToken.None);

        // All in flight at once, as a worker's slots finish: a store may write them together.
        var outcomes = await Task.WhenAll(
            [Store.CompleteAsync(stale.Lease, Result("stale"), CancellationToken.None),
             Store.CompleteAsync(fresh.Lease, Result("fresh"), CancellationToken.None),
             .. others.Select(job => Store.CompleteAsync(job.Lease, Result($"other {job.Lease.JobId}"), CancellationToken.None))]);

        Assert.Equal([false, true, true, true, true], outcomes);
        var document = await ReadDocumentAsync(fresh.DocumentId);
        Assert.Equal(("processed", "fresh", 1), (document.Status, document.Title, document.ResultCount));
        Assert.Equal(new JobRow("succeeded", 2), await ReadJobAsync(fresh.Lease.JobId));
        foreach (var job in others.Append(fresh))
            Assert.Single(await JobEventsAsync(job.Lease.JobId), e => e.Event == EventNames.JobCompleted);
        foreach (var job in others)
        {
            var other = await ReadDocumentAsync(job.DocumentId);
            Assert.Equal(("processed", $"other {job.Lease.JobId}", 1), (other.Status, other.Title, other.ResultCount));
        }
    }

    // ---- Progress and completion ----

    [Fact]
    public async Task ReportProgress_StoresTheUpdatesInOrder_ForTheLeaseHolder()
    {
        await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        Assert.True(await Store.ReportProgressAsync(claimed.Lease,
        [
            new ProgressUpdate(EventNames.DocumentParsingStarted, "parsing", 10, "Parsing"),
            new ProgressUpdate(EventNames.DocumentParsingCompleted, "parsing", 40, "Parsed"),
        ], CancellationToken.None));
        Assert.True(await Store.ReportProgressAsync(claimed.Lease, [], CancellationToken.None));

        var events = await JobEventsAsync(claimed.Lease.JobId);
        Assert.Equal([EventNames.JobQueued, EventNames.JobStarted, EventNames.DocumentParsingStarted, EventNames.DocumentParsingCompleted],
            events.Select(e => e.Event));
        Assert.Equal([10, 40], events[2..].Select(e => e.Progress));
        Assert.All(events[2..], e => Assert.Equal("parsing", e.Stage));
    }

    [Fact]
    public async Task Complete_StoresTheResult_AndMarksTheDocumentProcessed()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        Assert.True(await Store.CompleteAsync(claimed.Lease,
            new ResultToStore("the text", """{"fields":{}}""", "Invoice 42", "invoice"), CancellationToken.None));

        Assert.Equal(new JobRow("succeeded", 1), await ReadJobAsync(added.JobId));
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("processed", document.Status);
        Assert.Equal("Invoice 42", document.Title);
        Assert.Equal("invoice", document.Category);
        Assert.Null(document.FailureReason);
        Assert.Equal(1, document.ResultCount);
        var completed = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobCompleted, completed.Event);
        Assert.Equal(100, completed.Progress);
        Assert.False(await Store.CompleteAsync(claimed.Lease, Result("twice"), CancellationToken.None));
        Assert.Equal(1, (await ReadDocumentAsync(added.DocumentId)).ResultCount);
    }

    [Fact]
    public async Task Complete_StoresTheInvoiceKeys_ReplacesThemWhenReprocessed_AndDropsThemWhenTheNewResultHasNone()
    {
        var added = await AddDocumentAsync();
        Assert.Null(await ReadInvoiceKeysAsync(added.DocumentId));

        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v1") with { Keys = new DuplicateKeys("n1", "t1") },
            CancellationToken.None));
        Assert.Equal(new InvoiceKeysRow(OwnerId, "n1", "t1"), await ReadInvoiceKeysAsync(added.DocumentId));

        await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None);
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v2") with { Keys = new DuplicateKeys("n2", null) },
            CancellationToken.None));
        Assert.Equal(new InvoiceKeysRow(OwnerId, "n2", null), await ReadInvoiceKeysAsync(added.DocumentId));

        await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None);
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v3"), CancellationToken.None));
        Assert.Null(await ReadInvoiceKeysAsync(added.DocumentId));
    }

    [Fact]
    public async Task Complete_StoresEachDocumentsOwnInvoiceKeys_WhenCompletionsArriveTogether()
    {
        await Store.AddDocumentsAsync([NewDocument(), NewDocument(), NewDocument(), NewDocument()], CancellationToken.None);
        var jobs = await Store.ClaimAsync("worker", 4, Lease, CancellationToken.None);
        Assert.Equal(4, jobs.Count);

        // All in flight at once, as a worker's slots finish: a store may write them together.
        var outcomes = await Task.WhenAll(jobs.Select((job, i) => Store.CompleteAsync(job.Lease,
            Result($"r{i}") with { Keys = i == 3 ? null : new DuplicateKeys($"n{i}", i == 0 ? null : $"t{i}") }, CancellationToken.None)));

        Assert.All(outcomes, Assert.True);
        Assert.Equal(new InvoiceKeysRow(OwnerId, "n0", null), await ReadInvoiceKeysAsync(jobs[0].DocumentId));
        Assert.Equal(new InvoiceKeysRow(OwnerId, "n1", "t1"), await ReadInvoiceKeysAsync(jobs[1].DocumentId));
        Assert.Equal(new InvoiceKeysRow(OwnerId, "n2", "t2"), await ReadInvoiceKeysAsync(jobs[2].DocumentId));
        Assert.Null(await ReadInvoiceKeysAsync(jobs[3].DocumentId));
    }

    [Fact]
    public async Task Claim_CarriesTheReviewersEdits_SoTheKeysOfAReprocessedDocumentAreThoseOfItsReviewedValues()
    {
        var added = await AddDocumentAsync();
        var first = await ClaimOneAsync();
        Assert.Null(first.Review);
        Assert.True(await Store.CompleteAsync(first.Lease, Result("v1"), CancellationToken.None));
        await SetReviewAsync(added.DocumentId, """{"fields":{"invoice_number":"A-1"}}""");

        await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None);

        Assert.Equal("""{"fields":{"invoice_number":"A-1"}}""", (await ClaimOneAsync()).Review);
    }

    [Fact]
    public async Task ReportProgress_StoresALongBatchInOrder_WithIncreasingIds()
    {
        await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        var updates = Enumerable.Range(1, 37).Select(i => new ProgressUpdate(EventNames.StageProgress, "ocr", i, $"page {i}")).ToArray();

        Assert.True(await Store.ReportProgressAsync(claimed.Lease, updates, CancellationToken.None));

        var events = (await JobEventsAsync(claimed.Lease.JobId)).Where(e => e.Event == EventNames.StageProgress).ToArray();
        Assert.Equal(updates.Select(u => u.Message), events.Select(e => e.Message));
        Assert.Equal(updates.Select(u => u.Progress), events.Select(e => e.Progress));
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Id < pair.Second.Id));
    }

    [Fact]
    public async Task Complete_StoresTheProgressItCarries_InOrder_BeforeTheCompletedEvent()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        Assert.True(await Store.CompleteAsync(claimed.Lease, Result("done"), CancellationToken.None,
        [
            new ProgressUpdate(EventNames.AnalysisStarted, "analyse", 40, "analyse started"),
            new ProgressUpdate(EventNames.AnalysisCompleted, "categorise", 70, "categorise completed"),
        ]));

        var events = await JobEventsAsync(added.JobId);
        Assert.Equal([EventNames.JobQueued, EventNames.JobStarted, EventNames.AnalysisStarted, EventNames.AnalysisCompleted, EventNames.JobCompleted],
            events.Select(e => e.Event));
        Assert.Equal([40, 70, 100], events[2..].Select(e => e.Progress));
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Id < pair.Second.Id));
    }

    [Fact]
    public async Task Complete_StoresNoneOfTheProgressItCarries_ForALeaseThatExpiredAndWasClaimedAgain()
    {
        var (stale, _) = await ExpireAndClaimAgainAsync();
        var before = await Store.LastEventIdAsync(EventScope.Job, stale.Lease.JobId, CancellationToken.None);

        Assert.False(await Store.CompleteAsync(stale.Lease, Result("stale"), CancellationToken.None,
            [new ProgressUpdate(EventNames.AnalysisStarted, "analyse", 40, "analyse started")]));

        Assert.Equal(before, await Store.LastEventIdAsync(EventScope.Job, stale.Lease.JobId, CancellationToken.None));
    }

    // ---- Failure ----

    [Fact]
    public async Task Fail_SchedulesARetryAfterTheGivenDelay_WhenTheErrorIsTransient()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        var outcome = await Store.FailAsync(claimed.Lease, "tesseract timed out", "parsing", permanent: false,
            TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(FailureOutcome.RetryScheduled, outcome);
        Assert.Equal(new JobRow("queued", 1), await ReadJobAsync(added.JobId));
        Assert.Equal("queued", (await ReadDocumentAsync(added.DocumentId)).Status);
        var retrying = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobRetrying, retrying.Event);
        Assert.Equal("tesseract timed out", retrying.Error);
        Assert.Equal("parsing", retrying.Stage);

        Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await Store.ClaimAsync("w", 1, Lease, CancellationToken.None));
        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await ClaimOneAsync()).Lease.Attempt);
    }

    [Fact]
    public async Task Fail_FailsTheJobForGood_OnTheLastAttempt()
    {
        var added = await AddDocumentAsync();
        for (var attempt = 1; attempt < Options.MaxAttempts; attempt++)
        {
            var claimed = await ClaimOneAsync();
            Assert.Equal(FailureOutcome.RetryScheduled,
                await Store.FailAsync(claimed.Lease, "flaky", null, permanent: false, TimeSpan.Zero, CancellationToken.None));
        }
        var last = await ClaimOneAsync();
        Assert.Equal(Options.MaxAttempts, last.Lease.Attempt);

        var outcome = await Store.FailAsync(last.Lease, "still flaky", "analysis", permanent: false, TimeSpan.Zero, CancellationToken.None);

        Assert.Equal(FailureOutcome.Failed, outcome);
        Assert.Equal(new JobRow("failed", Options.MaxAttempts), await ReadJobAsync(added.JobId));
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("failed", document.Status);
        Assert.Contains("still flaky", document.FailureReason);
        var failed = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobFailed, failed.Event);
        Assert.Equal("still flaky", failed.Error);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Fail_FailsAtOnce_WhenTheErrorIsPermanent()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();

        var outcome = await Store.FailAsync(claimed.Lease, "corrupt PDF", "parsing", permanent: true, TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Equal(FailureOutcome.Failed, outcome);
        Assert.Equal(new JobRow("failed", 1), await ReadJobAsync(added.JobId));
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("failed", document.Status);
        Assert.Equal("corrupt PDF", document.FailureReason);
        var failed = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobFailed, failed.Event);
        Assert.Equal("corrupt PDF", failed.Error);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
    }

    // ---- Cancellation ----

    [Fact]
    public async Task RequestCancel_CancelsAQueuedJobAtOnce_AndItIsNeverClaimed()
    {
        var added = await AddDocumentAsync();

        var outcome = await Store.RequestCancelAsync(added.JobId, OwnerId, CancellationToken.None);

        Assert.IsType<CancelOutcome.Cancelled>(outcome);
        Assert.Equal("cancelled", (await ReadJobAsync(added.JobId)).State);
        Assert.Equal("cancelled", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(EventNames.JobCancelled, (await JobEventsAsync(added.JobId))[^1].Event);
        Clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await Store.ClaimAsync("w", 10, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task RequestCancel_AsksTheWorkerToStop_WhenTheJobIsRunning()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        using var cancelChannel = Bus.Subscribe(BusChannels.JobsCancel);

        var outcome = await Store.RequestCancelAsync(added.JobId, null, CancellationToken.None);

        Assert.IsType<CancelOutcome.Requested>(outcome);
        Assert.Equal(added.JobId.ToString("D"), System.Text.Encoding.UTF8.GetString((await ReceiveAsync(cancelChannel, 1))[0].Span));
        Assert.Equal(new JobRow("running", 1), await ReadJobAsync(added.JobId));
        Assert.Equal("processing", (await ReadDocumentAsync(added.DocumentId)).Status);

        Assert.True(await Store.AcknowledgeCancelAsync(claimed.Lease, "analysis", CancellationToken.None));

        Assert.Equal("cancelled", (await ReadJobAsync(added.JobId)).State);
        Assert.Equal("cancelled", (await ReadDocumentAsync(added.DocumentId)).Status);
        var cancelled = (await JobEventsAsync(added.JobId))[^1];
        Assert.Equal(EventNames.JobCancelled, cancelled.Event);
        Assert.Equal(LeaseStatus.Lost, await Store.HeartbeatAsync(claimed.Lease, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task Fail_CancelsInsteadOfRetrying_WhenCancellationWasRequested()
    {
        var added = await AddDocumentAsync();
        var claimed = await ClaimOneAsync();
        await Store.RequestCancelAsync(added.JobId, null, CancellationToken.None);

        var outcome = await Store.FailAsync(claimed.Lease, "disk hiccup", "analyse", permanent: false,
            TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(FailureOutcome.Cancelled, outcome);
        Assert.Equal("cancelled", (await ReadJobAsync(added.JobId)).State);
        Assert.Equal("cancelled", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(EventNames.JobCancelled, (await JobEventsAsync(added.JobId))[^1].Event);
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await Store.ClaimAsync("w", 1, Lease, CancellationToken.None));
    }

    [Fact]
    public async Task RequestCancel_ReturnsAlreadyFinished_ForAFinishedJob()
    {
        var succeeded = await AddDocumentAsync();
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("done"), CancellationToken.None));
        var failed = await AddDocumentAsync();
        await Store.FailAsync((await ClaimOneAsync()).Lease, "corrupt", null, permanent: true, TimeSpan.Zero, CancellationToken.None);
        var cancelled = await AddDocumentAsync();
        await Store.RequestCancelAsync(cancelled.JobId, OwnerId, CancellationToken.None);

        Assert.Equal(new CancelOutcome.AlreadyFinished(JobState.Succeeded), await Store.RequestCancelAsync(succeeded.JobId, OwnerId, CancellationToken.None));
        Assert.Equal(new CancelOutcome.AlreadyFinished(JobState.Failed), await Store.RequestCancelAsync(failed.JobId, OwnerId, CancellationToken.None));
        Assert.Equal(new CancelOutcome.AlreadyFinished(JobState.Cancelled), await Store.RequestCancelAsync(cancelled.JobId, OwnerId, CancellationToken.None));
        Assert.Equal("processed", (await ReadDocumentAsync(succeeded.DocumentId)).Status);
    }

    [Fact]
    public async Task RequestCancel_ReturnsNotFound_ForAnotherOwnerOrAnUnknownJob()
    {
        var added = await AddDocumentAsync();

        Assert.IsType<CancelOutcome.NotFound>(await Store.RequestCancelAsync(added.JobId, Guid.NewGuid(), CancellationToken.None));
        Assert.IsType<CancelOutcome.NotFound>(await Store.RequestCancelAsync(Guid.NewGuid(), null, CancellationToken.None));

        Assert.Equal(new JobRow("queued", 0), await ReadJobAsync(added.JobId));
        Assert.Equal("queued", (await ReadDocumentAsync(added.DocumentId)).Status);
    }

    // ---- Reprocess and retry ----

    [Fact]
    public async Task Enqueue_StartsANewJob_WhenAProcessedDocumentIsReprocessed()
    {
        var added = await AddDocumentAsync();
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v1"), CancellationToken.None));

        var outcome = await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None);

        var enqueued = Assert.IsType<EnqueueOutcome.Enqueued>(outcome);
        Assert.NotEqual(added.JobId, enqueued.JobId);
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("queued", document.Status);
        Assert.Equal(enqueued.JobId, document.CurrentJobId);
        Assert.Equal(new JobRow("queued", 0), await ReadJobAsync(enqueued.JobId));
        Assert.Equal("succeeded", (await ReadJobAsync(added.JobId)).State);
        Assert.Equal(EventNames.JobQueued, Assert.Single(await JobEventsAsync(enqueued.JobId)).Event);
        Assert.Equal(enqueued.JobId, (await ClaimOneAsync()).Lease.JobId);
    }

    [Fact]
    public async Task Enqueue_RefusesToReprocess_WhileTheDocumentIsProcessing_EvenWhenTheCallerAllowsIt()
    {
        var added = await AddDocumentAsync();
        await ClaimOneAsync();

        Assert.Equal(new EnqueueOutcome.WrongStatus(DocumentStatus.Processing),
            await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None));
        // Processing -> queued is the running job's own way back (lease lost, retry), never a second live job.
        Assert.Equal(new EnqueueOutcome.WrongStatus(DocumentStatus.Processing),
            await Store.EnqueueAsync(added.DocumentId, OwnerId, Enum.GetValues<DocumentStatus>(), null, CancellationToken.None));

        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("processing", document.Status);
        Assert.Equal(added.JobId, document.CurrentJobId);
    }

    [Fact]
    public async Task Enqueue_RefusesToReprocess_AFinalizedDocument_EvenWhenTheCallerAllowsIt()
    {
        var added = await AddDocumentAsync();
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v1"), CancellationToken.None));
        await SetDocumentStatusAsync(added.DocumentId, "finalized");

        Assert.Equal(new EnqueueOutcome.WrongStatus(DocumentStatus.Finalized),
            await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None));
        Assert.Equal(new EnqueueOutcome.WrongStatus(DocumentStatus.Finalized),
            await Store.EnqueueAsync(added.DocumentId, OwnerId, Enum.GetValues<DocumentStatus>(), null, CancellationToken.None));

        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("finalized", document.Status);
        Assert.Equal(added.JobId, document.CurrentJobId);
    }

    [Fact]
    public async Task Enqueue_ReturnsNotFound_ForAnUnknownDocumentOrAnotherOwner()
    {
        var added = await AddDocumentAsync();
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v1"), CancellationToken.None));

        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(Guid.NewGuid(), OwnerId, ReprocessFrom, null, CancellationToken.None));
        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(added.DocumentId, Guid.NewGuid(), ReprocessFrom, null, CancellationToken.None));
        Assert.Equal("processed", (await ReadDocumentAsync(added.DocumentId)).Status);
    }

    [Fact]
    public async Task Retry_StartsANewJob_ForAFailedJob()
    {
        var added = await AddDocumentAsync();
        await Store.FailAsync((await ClaimOneAsync()).Lease, "corrupt", null, permanent: true, TimeSpan.Zero, CancellationToken.None);

        var outcome = await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, added.JobId, CancellationToken.None);

        var enqueued = Assert.IsType<EnqueueOutcome.Enqueued>(outcome);
        var document = await ReadDocumentAsync(added.DocumentId);
        Assert.Equal("queued", document.Status);
        Assert.Equal(enqueued.JobId, document.CurrentJobId);
        Assert.Null(document.FailureReason);
        Assert.Equal(new JobRow("queued", 0), await ReadJobAsync(enqueued.JobId));
        Assert.Equal(new JobRow("failed", 1), await ReadJobAsync(added.JobId));
    }

    [Fact]
    public async Task Retry_StartsANewJob_ForACancelledJob()
    {
        var added = await AddDocumentAsync();
        await Store.RequestCancelAsync(added.JobId, OwnerId, CancellationToken.None);

        var outcome = await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, added.JobId, CancellationToken.None);

        var enqueued = Assert.IsType<EnqueueOutcome.Enqueued>(outcome);
        Assert.Equal("queued", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(enqueued.JobId, (await ClaimOneAsync()).Lease.JobId);
    }

    [Fact]
    public async Task Retry_IsRefused_ForAJobThatIsNotFailedOrCancelled()
    {
        var queued = await AddDocumentAsync();
        Assert.IsType<EnqueueOutcome.NotRetryable>(
            await Store.EnqueueAsync(queued.DocumentId, OwnerId, RetryFrom, queued.JobId, CancellationToken.None));

        var running = await ClaimOneAsync();
        Assert.IsType<EnqueueOutcome.NotRetryable>(
            await Store.EnqueueAsync(running.DocumentId, OwnerId, RetryFrom, running.Lease.JobId, CancellationToken.None));

        Assert.True(await Store.CompleteAsync(running.Lease, Result("done"), CancellationToken.None));
        Assert.IsType<EnqueueOutcome.NotRetryable>(
            await Store.EnqueueAsync(running.DocumentId, OwnerId, [.. RetryFrom, DocumentStatus.Processed], running.Lease.JobId, CancellationToken.None));

        var document = await ReadDocumentAsync(queued.DocumentId);
        Assert.Equal("processed", document.Status);
        Assert.Equal(queued.JobId, document.CurrentJobId);
    }

    [Fact]
    public async Task Retry_IsRefused_ForAJobThatIsNotTheDocumentsLatest()
    {
        var added = await AddDocumentAsync();
        await Store.FailAsync((await ClaimOneAsync()).Lease, "corrupt", null, permanent: true, TimeSpan.Zero, CancellationToken.None);
        var second = Assert.IsType<EnqueueOutcome.Enqueued>(
            await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, added.JobId, CancellationToken.None));
        await Store.RequestCancelAsync(second.JobId, OwnerId, CancellationToken.None);

        Assert.IsType<EnqueueOutcome.NotRetryable>(
            await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, added.JobId, CancellationToken.None));
        Assert.Equal(second.JobId, (await ReadDocumentAsync(added.DocumentId)).CurrentJobId);
        Assert.IsType<EnqueueOutcome.Enqueued>(
            await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, second.JobId, CancellationToken.None));
    }

    [Fact]
    public async Task Retry_ReturnsNotFound_ForAnUnknownJobOrDocumentOrAnotherOwner()
    {
        var added = await AddDocumentAsync();
        await Store.FailAsync((await ClaimOneAsync()).Lease, "corrupt", null, permanent: true, TimeSpan.Zero, CancellationToken.None);
        var other = await AddDocumentAsync();

        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(added.DocumentId, OwnerId, RetryFrom, Guid.NewGuid(), CancellationToken.None));
        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(Guid.NewGuid(), OwnerId, RetryFrom, added.JobId, CancellationToken.None));
        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(added.DocumentId, Guid.NewGuid(), RetryFrom, added.JobId, CancellationToken.None));
        // A job of another document is not this document's job.
        Assert.IsType<EnqueueOutcome.NotFound>(await Store.EnqueueAsync(other.DocumentId, OwnerId, RetryFrom, added.JobId, CancellationToken.None));

        Assert.Equal("failed", (await ReadDocumentAsync(added.DocumentId)).Status);
        Assert.Equal(added.JobId, (await ReadDocumentAsync(added.DocumentId)).CurrentJobId);
    }

    // ---- Events ----

    [Fact]
    public async Task Events_AreReturnedAfterTheGivenIdInOrder_ForAJobAndForItsDocument()
    {
        var added = await AddDocumentAsync();
        Assert.True(await Store.CompleteAsync((await ClaimOneAsync()).Lease, Result("v1"), CancellationToken.None));
        var second = Assert.IsType<EnqueueOutcome.Enqueued>(
            await Store.EnqueueAsync(added.DocumentId, OwnerId, ReprocessFrom, null, CancellationToken.None));
        await ClaimOneAsync();
        await AddDocumentAsync(); // another document's events must not leak in

        var firstJob = await Store.EventsAsync(EventScope.Job, added.JobId, 0, 100, CancellationToken.None);
        var secondJob = await Store.EventsAsync(EventScope.Job, second.JobId, 0, 100, CancellationToken.None);
        var document = await Store.EventsAsync(EventScope.Document, added.DocumentId, 0, 100, CancellationToken.None);

        Assert.Equal([EventNames.JobQueued, EventNames.JobStarted, EventNames.JobCompleted], firstJob.Select(e => e.Event));
        Assert.Equal([EventNames.JobQueued, EventNames.JobStarted], secondJob.Select(e => e.Event));
        Assert.All(firstJob, e => Assert.Equal(added.JobId, e.JobId));
        Assert.Equal([.. firstJob, .. secondJob], document);
        Assert.All(document, e => Assert.Equal(added.DocumentId, e.DocumentId));

        Assert.Equal(document.Skip(2), await Store.EventsAsync(EventScope.Document, added.DocumentId, document[1].Id, 100, CancellationToken.None));
        Assert.Equal(document.Skip(2).Take(2), await Store.EventsAsync(EventScope.Document, added.DocumentId, document[1].Id, 2, CancellationToken.None));
        Assert.Equal(firstJob.Skip(1), await Store.EventsAsync(EventScope.Job, added.JobId, firstJob[0].Id, 100, CancellationToken.None));
        Assert.Empty(await Store.EventsAsync(EventScope.Job, added.JobId, firstJob[^1].Id, 100, CancellationToken.None));

        Assert.Equal(firstJob[^1].Id, await Store.LastEventIdAsync(EventScope.Job, added.JobId, CancellationToken.None));
        Assert.Equal(document[^1].Id, await Store.LastEventIdAsync(EventScope.Document, added.DocumentId, CancellationToken.None));
    }

    [Fact]
    public async Task LastEventId_IsZero_WhenThereAreNoEvents()
    {
        Assert.Equal(0, await Store.LastEventIdAsync(EventScope.Job, Guid.NewGuid(), CancellationToken.None));
        Assert.Equal(0, await Store.LastEventIdAsync(EventScope.Document, Guid.NewGuid(), CancellationToken.None));
        Assert.Empty(await Store.EventsAsync(EventScope.Document, Guid.NewGuid(), 0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task EventIds_IncreaseMonotonically_PerJob_WhileManyJobsWriteAtOnce()
    {
        var added = await Store.AddDocumentsAsync(Enumerable.Range(0, 20).Select(_ => NewDocument()).ToList(), CancellationToken.None);
        var claimed = await Store.ClaimAsync("w", 20, Lease, CancellationToken.None);

        await Task.WhenAll(claimed.Select(job => Task.Run(async () =>
        {
            for (var i = 1; i <= 10; i++)
                Assert.True(await Store.ReportProgressAsync(job.Lease,
                    [new ProgressUpdate(EventNames.StageProgress, "ocr", i * 5, $"page {i}")], CancellationToken.None));
            Assert.True(await Store.CompleteAsync(job.Lease, Result("done"), CancellationToken.None));
        })));

        foreach (var job in added)
        {
            var events = await JobEventsAsync(job.JobId);
            Assert.Equal(13, events.Count);
            Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Id < pair.Second.Id), "event ids must increase");
            Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 5), events.Where(e => e.Event == EventNames.StageProgress).Select(e => e.Progress));
        }
    }

    [Fact]
    public async Task EveryStoredEvent_IsPublishedOnItsJobChannelAndItsDocumentChannel()
    {
        var document = NewDocument();
        using var documentChannel = Bus.Subscribe(BusChannels.Document(document.Id));

        var added = Assert.Single(await Store.AddDocumentsAsync([document], CancellationToken.None));
        // The job id is only known now; the recording bus shows job_queued went to the job channel too.
        using var jobChannel = Bus.Subscribe(BusChannels.Job(added.JobId));
        var first = await ClaimOneAsync();
        await Store.ReportProgressAsync(first.Lease, [new ProgressUpdate(EventNames.DocumentParsingStarted, "parsing", 10, "Parsing")], CancellationToken.None);
        await Store.FailAsync(first.Lease, "flaky", "parsing", permanent: false, TimeSpan.Zero, CancellationToken.None);
        var second = await ClaimOneAsync();
        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await Store.RescueExpiredAsync(CancellationToken.None);
        var third = await ClaimOneAsync();
        await Store.CompleteAsync(third.Lease, Result("done"), CancellationToken.None);
        await Store.EnqueueAsync(document.Id, OwnerId, ReprocessFrom, null, CancellationToken.None);
        await Store.RequestCancelAsync((await ReadDocumentAsync(document.Id)).CurrentJobId!.Value, OwnerId, CancellationToken.None);
        Assert.Equal([1, 2, 3], new[] { first, second, third }.Select(c => c.Lease.Attempt));

        var stored = await Store.EventsAsync(EventScope.Document, document.Id, 0, 1000, CancellationToken.None);
        var storedForJob = await Store.EventsAsync(EventScope.Job, added.JobId, 0, 1000, CancellationToken.None);
        Assert.True(stored.Count >= 10, $"expected a full history, got {stored.Count} events");

        var onDocumentChannel = (await ReceiveAsync(documentChannel, stored.Count)).Select(m => JobEvent.FromUtf8Json(m.Span));
        Assert.Equal(stored, onDocumentChannel);
        var onJobChannel = (await ReceiveAsync(jobChannel, storedForJob.Count - 1)).Select(m => JobEvent.FromUtf8Json(m.Span));
        Assert.Equal(storedForJob.Skip(1), onJobChannel);
        foreach (var storedEvent in stored)
        {
            Assert.Single(Bus.Published, p => p.Channel == BusChannels.Job(storedEvent.JobId) && JobEvent.FromUtf8Json(p.Payload.Span) == storedEvent);
            Assert.Single(Bus.Published, p => p.Channel == BusChannels.Document(storedEvent.DocumentId) && JobEvent.FromUtf8Json(p.Payload.Span) == storedEvent);
        }
    }

    // ---- Helpers ----

    protected NewDocument NewDocument()
    {
        var id = Guid.CreateVersion7();
        return new NewDocument(id, OwnerId, $"{id:N}.txt", "txt", "text/plain", 42, new string('a', 64), StorageKeys.ForDocument(id));
    }

    protected async Task<EnqueuedJob> AddDocumentAsync() =>
        Assert.Single(await Store.AddDocumentsAsync([NewDocument()], CancellationToken.None));

    protected async Task<ClaimedJob> ClaimOneAsync(string workerId = "worker") =>
        Assert.Single(await Store.ClaimAsync(workerId, 1, Lease, CancellationToken.None));

    protected async Task<List<JobEvent>> JobEventsAsync(Guid jobId) =>
        [.. await Store.EventsAsync(EventScope.Job, jobId, 0, 1000, CancellationToken.None)];

    protected static ResultToStore Result(string title) => new($"text of {title}", "{}", title, "other");

    /// <summary>A job claimed by one worker whose lease expired, was rescued and was claimed by another.</summary>
    protected async Task<(ClaimedJob Stale, ClaimedJob Fresh)> ExpireAndClaimAgainAsync()
    {
        await AddDocumentAsync();
        var stale = await ClaimOneAsync("worker-a");
        Clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Store.RescueExpiredAsync(CancellationToken.None));
        var fresh = await ClaimOneAsync("worker-b");
        Assert.Equal(stale.Lease.JobId, fresh.Lease.JobId);
        Assert.Equal(stale.Lease.Attempt + 1, fresh.Lease.Attempt);
        return (stale, fresh);
    }

    /// <summary>Reads exactly <paramref name="count"/> messages; a bus may deliver asynchronously, so wait a little.</summary>
    protected static async Task<List<ReadOnlyMemory<byte>>> ReceiveAsync(IBusSubscription subscription, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var messages = new List<ReadOnlyMemory<byte>>(count);
        while (messages.Count < count)
            messages.Add(await subscription.Messages.ReadAsync(timeout.Token));
        return messages;
    }
}

/// <summary>A job row as the conformance suite needs to see it.</summary>
public sealed record JobRow(string State, int Attempt);

/// <summary>A document row as the conformance suite needs to see it; <see cref="ResultCount"/> counts its stored results.</summary>
public sealed record InvoiceKeysRow(Guid OwnerId, string? NumberKey, string? TotalKey);

public sealed record DocumentRow(string Status, Guid? CurrentJobId, string? Title, string? Category, string? FailureReason, int ResultCount);

/// <summary>Forwards to a real bus and remembers every publish, for checks a subscriber cannot make in time.</summary>
public sealed class RecordingEventBus(IEventBus inner) : IEventBus
{
    private readonly ConcurrentQueue<(string Channel, ReadOnlyMemory<byte> Payload)> _published = new();

    public IReadOnlyCollection<(string Channel, ReadOnlyMemory<byte> Payload)> Published => _published;

    public ValueTask PublishAsync(string channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        _published.Enqueue((channel, payload));
        return inner.PublishAsync(channel, payload, cancellationToken);
    }

    public IBusSubscription Subscribe(string channel) => inner.Subscribe(channel);

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => inner.IsHealthyAsync(cancellationToken);
}
