using System.Text.Json;
using Docket.Data.Sqlite;
using Npgsql;

namespace Docket.Data.Learning;

/// <summary>When a document was finalised.</summary>
public sealed record FinalisedStamp(Guid Id, DateTimeOffset FinalizedAt);

/// <summary>A finalised document with its current result, as learners need it.</summary>
public sealed record FinalisedRow(Guid Id, Guid OwnerId, string FileName, string? Review, string Content, string Data);

/// <summary>
/// Reads finalised documents for the learning feed in plain SQL: it runs before a worker's first claim, and
/// EF's first query in a process (model building, query compilation) costs seconds on a busy machine.
/// </summary>
public interface IFinalisedDocuments
{
    /// <summary>The most recent <paramref name="limit"/> finalisations, oldest first.</summary>
    Task<IReadOnlyList<FinalisedStamp>> RecentAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Finalisations at or after <paramref name="since"/>, oldest first.</summary>
    Task<IReadOnlyList<FinalisedStamp>> SinceAsync(DateTimeOffset since, CancellationToken cancellationToken);

    Task<IReadOnlyList<FinalisedRow>> RowsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken);
}

internal sealed class SqliteFinalisedDocuments(SqliteDatabase db) : IFinalisedDocuments
{
    public Task<IReadOnlyList<FinalisedStamp>> RecentAsync(int limit, CancellationToken cancellationToken) => Stamps("""
        SELECT id, finalized_at FROM documents WHERE status = 'finalized' AND finalized_at IS NOT NULL
        ORDER BY finalized_at DESC, id DESC LIMIT @limit
        """, reverse: true, ("@limit", limit));

    public Task<IReadOnlyList<FinalisedStamp>> SinceAsync(DateTimeOffset since, CancellationToken cancellationToken) => Stamps("""
        SELECT id, finalized_at FROM documents WHERE status = 'finalized' AND finalized_at >= @since
        ORDER BY finalized_at, id
        """, reverse: false, ("@since", since.ToUnixTimeMilliseconds()));

    public Task<IReadOnlyList<FinalisedRow>> RowsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var list = JsonSerializer.Serialize(ids.Select(id => id.ToString("D")));
        var rows = db.Read(s =>
        {
            using var reader = s.Query("""
                SELECT d.id, d.owner_id, d.filename, d.review, r.content, r.data
                FROM documents d JOIN document_results r ON r.id = d.current_result_id
                WHERE d.id IN (SELECT value FROM json_each(@ids))
                """, ("@ids", list));
            var rows = new List<FinalisedRow>();
            while (reader.Read())
                rows.Add(new FinalisedRow(Guid.Parse(reader.GetString(0)), Guid.Parse(reader.GetString(1)), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5)));
            return rows;
        });
        return Task.FromResult<IReadOnlyList<FinalisedRow>>(rows);
    }

    private Task<IReadOnlyList<FinalisedStamp>> Stamps(string sql, bool reverse, (string, object?) parameter)
    {
        var stamps = db.Read(s =>
        {
            using var reader = s.Query(sql, parameter);
            var stamps = new List<FinalisedStamp>();
            while (reader.Read())
                stamps.Add(new FinalisedStamp(Guid.Parse(reader.GetString(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
            return stamps;
        });
        if (reverse) stamps.Reverse();
        return Task.FromResult<IReadOnlyList<FinalisedStamp>>(stamps);
    }
}

internal sealed class PostgresFinalisedDocuments(NpgsqlDataSource dataSource) : IFinalisedDocuments
{
    public async Task<IReadOnlyList<FinalisedStamp>> RecentAsync(int limit, CancellationToken cancellationToken)
    {
        var stamps = await StampsAsync("""
            SELECT id, finalized_at FROM documents WHERE status = 'finalized' AND finalized_at IS NOT NULL
            ORDER BY finalized_at DESC, id DESC LIMIT @limit
            """, "limit", limit, cancellationToken);
        stamps.Reverse();
        return stamps;
    }

    public async Task<IReadOnlyList<FinalisedStamp>> SinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        await StampsAsync("""
            SELECT id, finalized_at FROM documents WHERE status = 'finalized' AND finalized_at >= @since
            ORDER BY finalized_at, id
            """, "since", since, cancellationToken);

    public async Task<IReadOnlyList<FinalisedRow>> RowsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.id, d.owner_id, d.filename, d.review, r.content, r.data
            FROM documents d JOIN document_results r ON r.id = d.current_result_id
            WHERE d.id = ANY(@ids)
            """);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<FinalisedRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new FinalisedRow(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5)));
        return rows;
    }

    private async Task<List<FinalisedStamp>> StampsAsync(string sql, string name, object value, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(name, value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stamps = new List<FinalisedStamp>();
        while (await reader.ReadAsync(cancellationToken))
            stamps.Add(new FinalisedStamp(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1)));
        return stamps;
    }
}
