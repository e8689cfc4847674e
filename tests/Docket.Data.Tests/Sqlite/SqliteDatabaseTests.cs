using Docket.Data.Sqlite;
using Microsoft.Data.Sqlite;

namespace Docket.Data.Tests.Sqlite;

/// <summary>The single writer's group commit: writes queued together share one transaction, and fail alone.</summary>
public sealed class SqliteDatabaseTests : IAsyncDisposable
{
    private readonly TempSqliteFile _file = new();
    private readonly SqliteDatabase _database;

    public SqliteDatabaseTests()
    {
        _database = new SqliteDatabase(_file.ConnectionString);
        _database.WriteAsync(s => s.Execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")).GetAwaiter().GetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        _file.Dispose();
    }

    [Fact]
    public async Task AWriteThatFails_InABatch_FailsAlone_AndTheOthersCommitAndAnnounceInOrder()
    {
        var announced = new List<int>();
        using var gate = new ManualResetEventSlim();
        // The first write holds the writer, so the next five queue up and are committed as one batch.
        var first = _database.WriteAsync(s =>
        {
            gate.Wait();
            return Insert(s, 0, announced);
        });
        int[] values = [1, 2, 1, 4, 5];
        var batch = values.Select(x => _database.WriteAsync(s => Insert(s, x, announced))).ToArray();
        gate.Set();

        await first;
        await Assert.ThrowsAsync<SqliteException>(() => batch[2]);
        foreach (var i in new[] { 0, 1, 3, 4 }) Assert.Equal(values[i], await batch[i]);
        Assert.Equal([0, 1, 2, 4, 5], Stored());
        Assert.Equal([0, 1, 2, 4, 5], announced);
    }

    [Fact]
    public async Task AWriteThatFails_Alone_StoresNothing_AndAnnouncesNothing()
    {
        var announced = new List<int>();
        await _database.WriteAsync(s => Insert(s, 7, announced));

        await Assert.ThrowsAsync<SqliteException>(() => _database.WriteAsync(s =>
        {
            Insert(s, 8, announced);
            return Insert(s, 7, announced);
        }));

        Assert.Equal([7], Stored());
        Assert.Equal([7], announced);
    }

    private static int Insert(SqliteSession s, int x, List<int> announced)
    {
        s.Execute("INSERT INTO t (x) VALUES (@x)", ("@x", x));
        s.AfterCommit(() => announced.Add(x));
        return x;
    }

    private int[] Stored() => _database.Read(s =>
    {
        using var reader = s.Query("SELECT x FROM t ORDER BY x");
        var values = new List<int>();
        while (reader.Read()) values.Add(reader.GetInt32(0));
        return values.ToArray();
    });
}
