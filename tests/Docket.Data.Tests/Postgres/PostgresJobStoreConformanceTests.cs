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
}
