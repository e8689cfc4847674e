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

    [Fact]
    public async Task WhileSomeReaderAlwaysHoldsASnapshot_TheWalStillStartsOver_SoItStaysSmall()
    {
        using var file = new TempSqliteFile();
        // 2,000 writes of 16 KB, paced at about 20 MB a second: without the restart nearly all of it (27 MB when tried) stays in the WAL, as no passive checkpoint can finish under a reader.
        await using var database = new SqliteDatabase(file.ConnectionString, TimeSpan.FromMilliseconds(50), restartAboveFrames: 256);
        await database.WriteAsync(s => s.Execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"));
        using var stop = new CancellationTokenSource();
        var readers = Task.Factory.StartNew(() => HoldOverlappingSnapshots(database, stop.Token), TaskCreationOptions.LongRunning);

        var body = new byte[16 * 1024];
        long largestWal = 0;
        for (var i = 0; i < 2000; i++)
        {
            await database.WriteAsync(s => s.Execute("INSERT INTO blobs (body) VALUES (@body)", ("@body", body)));
            largestWal = Math.Max(largestWal, new FileInfo(file.Path + "-wal").Length);
            if (i % 5 == 4) await Task.Delay(1);
        }
        await stop.CancelAsync();
        var snapshotsTaken = await readers;

        Assert.True(snapshotsTaken > 20, $"the readers took only {snapshotsTaken} snapshots");
        Assert.True(largestWal < 12 * 1024 * 1024, $"the WAL grew to {largestWal / 1024 / 1024} MB");
        Assert.Equal(2000L, database.Read(s => s.Scalar("SELECT COUNT(*) FROM blobs")));
    }

    /// <summary>Each snapshot is taken before the one before it is let go, so there is never a moment without one.</summary>
    private static int HoldOverlappingSnapshots(SqliteDatabase database, CancellationToken stop)
    {
        (SqliteConnection Connection, SqliteTransaction Transaction)? held = null;
        var taken = 0;
        while (!stop.IsCancellationRequested)
        {
            var connection = database.OpenConnection();
            var transaction = connection.BeginTransaction(deferred: true);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = "SELECT COUNT(*) FROM blobs";
                command.ExecuteScalar();
            }
            taken++;
            if (held is var (oldConnection, oldTransaction))
            {
                oldTransaction.Dispose();
                oldConnection.Dispose();
            }
            held = (connection, transaction);
            Thread.Sleep(5);
        }
        if (held is var (lastConnection, lastTransaction))
        {
            lastTransaction.Dispose();
            lastConnection.Dispose();
        }
        return taken;
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
