using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Postgres;
using Docket.Data.Tests.Jobs;
using Npgsql;

namespace Docket.Data.Tests.Postgres;

/// <summary>The job store conformance suite on a fresh PostgreSQL database per test.</summary>
public sealed class PostgresJobStoreConformanceTests : JobStoreConformance
{
    private TempPostgresDatabase? _database;
    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The store was not created yet.");

    protected override async Task<IJobStore> CreateStoreAsync(ManualClock clock, IEventBus bus, QueueOptions options)
    {
        _database = await TempPostgresDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        new DatabaseMigrator(_dataSource, clock).Migrate();
        return new PostgresJobStore(_dataSource, bus, Microsoft.Extensions.Options.Options.Create(options), clock);
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [Fact]
    public async Task Claim_PassesOverAJobAnotherClaimerHasLocked_InsteadOfWaitingForIt()
    {
        var oldest = await AddDocumentAsync();
        Clock.Advance(TimeSpan.FromSeconds(1));
        var next = await AddDocumentAsync();

        // Another node's claim transaction, still open, holding the oldest job's row.
        await using var other = await DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT id FROM jobs WHERE id = @id FOR UPDATE", other, transaction))
        {
            hold.Parameters.AddWithValue("id", oldest.JobId);
            await hold.ExecuteNonQueryAsync();
        }

        var claimed = await Store.ClaimAsync("w", 2, Lease, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([next.JobId], claimed.Select(c => c.Lease.JobId));
        await transaction.RollbackAsync();
        Assert.Equal([oldest.JobId], (await Store.ClaimAsync("w", 2, Lease, CancellationToken.None)).Select(c => c.Lease.JobId));
    }

    [Fact]
    public async Task Complete_WritesTheCompletionsQueuedBehindABusyOne_InOneTransaction_EachFencedByItsOwnAttempt()
    {
        var (stale, fresh) = await ExpireAndClaimAgainAsync();
        await Store.AddDocumentsAsync([NewDocument(), NewDocument(), NewDocument()], CancellationToken.None);
        var claimed = await Store.ClaimAsync("worker-c", 3, Lease, CancellationToken.None);
        var (busy, others) = (claimed[0], claimed.Skip(1).ToList());

        // The first completion waits on a row lock, so the ones that follow queue up behind it.
        await using var locker = await HoldJobRowAsync(busy.Lease.JobId);
        var first = Store.CompleteAsync(busy.Lease, Result("busy"), CancellationToken.None);
        await WaitUntilWaitingOnALockAsync();
        var staleOutcome = Store.CompleteAsync(stale.Lease, Result("stale"), CancellationToken.None);
        var queued = others.Append(fresh).Select(job => Store.CompleteAsync(job.Lease, Result("queued"), CancellationToken.None)).ToList();
        await locker.ReleaseAsync();

        Assert.True(await first);
        Assert.False(await staleOutcome);
        Assert.All(await Task.WhenAll(queued), Assert.True);
        Assert.Equal(1, await DistinctWritersAsync(others.Append(fresh).Select(j => j.Lease.JobId)));
        Assert.Equal(("processed", "queued", 1), await TitleAsync(fresh.DocumentId));
        Assert.Equal(new JobRow("succeeded", 2), await ReadJobAsync(fresh.Lease.JobId));
        foreach (var job in others.Append(fresh).Append(busy))
            Assert.Single(await JobEventsAsync(job.Lease.JobId), e => e.Event == EventNames.JobCompleted);
    }

    [Fact]
    public async Task Complete_FailsOnlyTheCompletionTheServerRefuses_WhenItWasQueuedWithOthers()
    {
        await Store.AddDocumentsAsync(Enumerable.Range(0, 4).Select(_ => NewDocument()).ToList(), CancellationToken.None);
        var claimed = await Store.ClaimAsync("w", 4, Lease, CancellationToken.None);
        var (busy, bad, good) = (claimed[0], claimed[1], claimed.Skip(2).ToList());

        await using var locker = await HoldJobRowAsync(busy.Lease.JobId);
        var first = Store.CompleteAsync(busy.Lease, Result("busy"), CancellationToken.None);
        await WaitUntilWaitingOnALockAsync();
        // PostgreSQL text cannot hold NUL: the server refuses the statement this completion is part of.
        var refused = Store.CompleteAsync(bad.Lease, new ResultToStore("a\0b", "{}", "bad", "other"), CancellationToken.None);
        var queued = good.Select(job => Store.CompleteAsync(job.Lease, Result("good"), CancellationToken.None)).ToList();
        await locker.ReleaseAsync();

        Assert.True(await first);
        await Assert.ThrowsAsync<PostgresException>(() => refused);
        Assert.All(await Task.WhenAll(queued), Assert.True);
        Assert.Equal(new JobRow("running", 1), await ReadJobAsync(bad.Lease.JobId));
        Assert.Equal(("processing", null, 0), await TitleAsync(bad.DocumentId));
        foreach (var job in good)
            Assert.Equal(("processed", "good", 1), await TitleAsync(job.DocumentId));
    }

    /// <summary>
    /// The index of queued jobs holds only queued jobs (decision 66), so the claim must be able to find its jobs
    /// there: with sequential scans priced out, a claim that could not use it would scan another index or the table.
    /// </summary>
    [Fact]
    public async Task Claim_FindsItsJobsInTheIndexOfQueuedJobs()
    {
        await Store.AddDocumentsAsync(Enumerable.Range(0, 3).Select(_ => NewDocument()).ToList(), CancellationToken.None);
        foreach (var job in await Store.ClaimAsync("w", 2, Lease, CancellationToken.None))
            Assert.True(await Store.CompleteAsync(job.Lease, Result("done"), CancellationToken.None));

        await using var connection = await DataSource.OpenConnectionAsync();
        await using (var noSeqScan = new NpgsqlCommand("SET enable_seqscan = off", connection))
            await noSeqScan.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN " + PostgresJobStore.ClaimSql, connection);
        foreach (var (name, value) in new (string, object)[]
                 {
                     ("now", Clock.GetUtcNow()), ("limit", 16), ("worker", "w"), ("expires", Clock.GetUtcNow() + Lease),
                     ("sources", new[] { "queued" }), ("event", EventNames.JobStarted),
                 })
            explain.Parameters.AddWithValue(name, value);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

        Assert.Contains(plan, line => line.Contains("Index Scan using ix_jobs_queued on jobs", StringComparison.Ordinal));
    }

    /// <summary>Another session's open transaction holding the job's row, as a cancel request or a rescuer would.</summary>
    private async Task<RowLock> HoldJobRowAsync(Guid jobId)
    {
        var connection = await DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand("SELECT id FROM jobs WHERE id = @id FOR UPDATE", connection, transaction);
        hold.Parameters.AddWithValue("id", jobId);
        await hold.ExecuteNonQueryAsync();
        return new RowLock(connection, transaction);
    }

    private sealed class RowLock(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task ReleaseAsync() => transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task WaitUntilWaitingOnALockAsync()
    {
        for (var tries = 0; tries < 500; tries++)
        {
            await using var command = DataSource.CreateCommand(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(10);
        }
        Assert.Fail("the first completion never waited on the held row");
    }

    /// <summary>How many transactions wrote these jobs' current row versions.</summary>
    private async Task<long> DistinctWritersAsync(IEnumerable<Guid> jobIds)
    {
        await using var command = DataSource.CreateCommand("SELECT COUNT(DISTINCT xmin::text) FROM jobs WHERE id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", jobIds.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<(string Status, string? Title, int Results)> TitleAsync(Guid documentId)
    {
        var document = await ReadDocumentAsync(documentId);
        return (document.Status, document.Title, document.ResultCount);
    }

    protected override async Task<JobRow> ReadJobAsync(Guid jobId)
    {
        await using var command = DataSource.CreateCommand("SELECT state, attempt FROM jobs WHERE id = @id");
        command.Parameters.AddWithValue("id", jobId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"job {jobId} does not exist");
        return new JobRow(reader.GetString(0), reader.GetInt32(1));
    }

    protected override async Task<DocumentRow> ReadDocumentAsync(Guid documentId)
    {
        await using var command = DataSource.CreateCommand("""
            SELECT status, current_job_id, title, category, failure_reason,
                   (SELECT COUNT(*) FROM document_results r WHERE r.document_id = d.id)::int
            FROM documents d WHERE id = @id
            """);
        command.Parameters.AddWithValue("id", documentId);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"document {documentId} does not exist");
        return new DocumentRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetGuid(1),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5));
    }

    protected override async Task SetDocumentStatusAsync(Guid documentId, string status)
    {
        await using var command = DataSource.CreateCommand("UPDATE documents SET status = @status WHERE id = @id");
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("id", documentId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected override async Task SetReviewAsync(Guid documentId, string review)
    {
        await using var command = DataSource.CreateCommand("UPDATE documents SET review = @review WHERE id = @id");
        command.Parameters.AddWithValue("review", review);
        command.Parameters.AddWithValue("id", documentId);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    protected override async Task<InvoiceKeysRow?> ReadInvoiceKeysAsync(Guid documentId)
    {
        await using var command = DataSource.CreateCommand("SELECT owner_id, number_key, total_key FROM invoice_keys WHERE document_id = @id");
        command.Parameters.AddWithValue("id", documentId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync()
            ? new InvoiceKeysRow(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }
}
