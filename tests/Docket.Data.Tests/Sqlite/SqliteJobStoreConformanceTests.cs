using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Sqlite;
using Docket.Data.Tests.Jobs;

namespace Docket.Data.Tests.Sqlite;

/// <summary>The job store conformance suite on a fresh SQLite file per test.</summary>
public sealed class SqliteJobStoreConformanceTests : JobStoreConformance
{
    private readonly TempSqliteFile _file = new();
    private SqliteDatabase? _database;

    private SqliteDatabase Database => _database ?? throw new InvalidOperationException("The store was not created yet.");

    protected override Task<IJobStore> CreateStoreAsync(ManualClock clock, IEventBus bus, QueueOptions options)
    {
        _database = new SqliteDatabase(_file.ConnectionString);
        new DatabaseMigrator(_database, clock).Migrate();
        return Task.FromResult<IJobStore>(new SqliteJobStore(_database, bus, Microsoft.Extensions.Options.Options.Create(options), clock));
    }

    protected override async Task DisposeStoreAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
        _file.Dispose();
    }

    protected override Task<JobRow> ReadJobAsync(Guid jobId) => Task.FromResult(Database.Read(s =>
    {
        using var reader = s.Query("SELECT state, attempt FROM jobs WHERE id = @id", ("@id", jobId.ToString("D")));
        Assert.True(reader.Read(), $"job {jobId} does not exist");
        return new JobRow(reader.GetString(0), reader.GetInt32(1));
    }));

    protected override Task<DocumentRow> ReadDocumentAsync(Guid documentId) => Task.FromResult(Database.Read(s =>
    {
        using var reader = s.Query("""
            SELECT status, current_job_id, title, category, failure_reason,
                   (SELECT COUNT(*) FROM document_results r WHERE r.document_id = d.id)
            FROM documents d WHERE id = @id
            """, ("@id", documentId.ToString("D")));
        Assert.True(reader.Read(), $"document {documentId} does not exist");
        return new DocumentRow(reader.GetString(0), reader.IsDBNull(1) ? null : Guid.Parse(reader.GetString(1)),
            reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5));
    }));

    protected override async Task SetDocumentStatusAsync(Guid documentId, string status)
    {
        var changed = await Database.WriteAsync(s => s.Execute("UPDATE documents SET status = @status WHERE id = @id",
            ("@status", status), ("@id", documentId.ToString("D"))));
        Assert.Equal(1, changed);
    }

    protected override async Task SetReviewAsync(Guid documentId, string review)
    {
        var changed = await Database.WriteAsync(s => s.Execute("UPDATE documents SET review = @review WHERE id = @id",
            ("@review", review), ("@id", documentId.ToString("D"))));
        Assert.Equal(1, changed);
    }

    protected override Task<InvoiceKeysRow?> ReadInvoiceKeysAsync(Guid documentId) => Task.FromResult(Database.Read(s =>
    {
        using var reader = s.Query("SELECT owner_id, number_key, total_key FROM invoice_keys WHERE document_id = @id",
            ("@id", documentId.ToString("D")));
        return reader.Read()
            ? new InvoiceKeysRow(Guid.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }));
}
