using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Docket.Data.Sqlite;

/// <summary>
/// The embedded database. SQLite lets one writer in at a time; rather than have many connections
/// contend for the lock (busy waits of milliseconds each), every write in this process goes
/// through one connection in FIFO order, and whatever queued up while the previous transaction
/// ran is committed together (group commit). Each write runs inside its own SAVEPOINT, so one
/// write's failure rolls back only that write. Other processes (a separate `docket worker`)
/// still serialise with this one through SQLite's own lock and busy timeout.
/// </summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly Channel<IWrite> _writes = Channel.CreateUnbounded<IWrite>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writerLoop;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _checkpointLoop;
    private readonly TimeSpan _checkpointInterval;
    private readonly long _restartAboveFrames;
    private volatile bool _restartWanted;

    public SqliteDatabase(string connectionString) : this(connectionString, TimeSpan.FromSeconds(1), restartAboveFrames: 8192)
    {
    }

    /// <param name="restartAboveFrames">32 MB of 4 KB pages by default: about half a second of WAL at 1,500 documents a second.</param>
    public SqliteDatabase(string connectionString, TimeSpan checkpointInterval, long restartAboveFrames)
    {
        _checkpointInterval = checkpointInterval;
        _restartAboveFrames = restartAboveFrames;
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, Pooling = true };
        ConnectionString = builder.ToString();
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

        using (var connection = OpenConnection())
        {
            // WAL lets readers run beside the writer; it is a property of the file, so set once here.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
        }

        _writerLoop = Task.Run(RunWriterAsync);
        // A thread of its own: a checkpoint blocks for as long as its copying and fsync take.
        _checkpointLoop = Task.Factory.StartNew(RunCheckpoints, TaskCreationOptions.LongRunning);
    }

    /// <summary>
    /// The writer never checkpoints (wal_autocheckpoint = 0): copying the WAL back into the database
    /// inline would stall every queued write for milliseconds. Here, on a connection of its own, a
    /// passive checkpoint copies the WAL beside the writer every interval. While readers come and go
    /// without pause, the WAL is never free to start over and grows by every write; once it holds more
    /// than a given number of frames, the writer is asked to restart it between two batches.
    /// </summary>
    private void RunCheckpoints()
    {
        while (!_stopping.Token.WaitHandle.WaitOne(_checkpointInterval))
        {
            try
            {
                using var connection = OpenConnection();
                if (Checkpoint(connection, "PASSIVE") > _restartAboveFrames) _restartWanted = true;
            }
            catch (SqliteException)
            {
                // Busy or locked: the next tick tries again.
            }
        }
    }

    /// <summary>
    /// A RESTART checkpoint copies what the passive one has not yet copied (little) and waits for the
    /// readers still on the WAL to move on, so the next write starts the WAL from its beginning again.
    /// It holds off writers meanwhile, so it runs here, between batches, where it needs no lock another
    /// write holds, and waits for readers only briefly; a long one (an export) makes it try again later.
    /// It rewrites the same file in place: TRUNCATE, tried first, held the writer 130-330 ms a second
    /// under load, re-growing the file block by block.
    /// </summary>
    private static void RestartWal(SqliteConnection connection, SqliteSession session)
    {
        session.Execute($"PRAGMA busy_timeout = {(int)RestartWaitsAtMost.TotalMilliseconds}");
        try
        {
            Checkpoint(connection, "RESTART");
        }
        catch (SqliteException)
        {
            // Another process writing, or readers that stayed: the next tick asks again.
        }
        finally
        {
            session.Execute(BusyTimeout);
        }
    }

    /// <returns>The frames in the WAL.</returns>
    private static long Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode})";
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetInt64(1);
    }

    /// <summary>How long a RESTART may hold off the writer while it waits for readers to move on.</summary>
    private static readonly TimeSpan RestartWaitsAtMost = TimeSpan.FromMilliseconds(50);

    public string ConnectionString { get; }

    /// <summary>
    /// synchronous=NORMAL in WAL mode: a commit survives the process being killed; only an OS
    /// crash or power loss can lose the last transactions. See docs/decisions.md.
    /// </summary>
    internal const string ConnectionPragmas = "PRAGMA synchronous = NORMAL; " + BusyTimeout;

    private const string BusyTimeout = "PRAGMA busy_timeout = 10000;";

    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = ConnectionPragmas;
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in the write transaction; the task completes after the commit.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteSession, T> work)
    {
        var write = new Write<T>(work);
        if (!_writes.Writer.TryWrite(write))
            throw new ObjectDisposedException(nameof(SqliteDatabase));
        return write.Completion.Task;
    }

    /// <summary>Runs a read on a pooled connection of its own (WAL: it never waits for the writer).</summary>
    public T Read<T>(Func<SqliteSession, T> work)
    {
        using var connection = OpenConnection();
        using var session = new SqliteSession(connection, null);
        return work(session);
    }

    private async Task RunWriterAsync()
    {
        SqliteConnection? connection = null;
        SqliteSession? session = null;
        var batch = new List<IWrite>(MaxBatch);
        var reader = _writes.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var write)) batch.Add(write);
            try
            {
                if (connection is null)
                {
                    connection = OpenConnection();
                    session = new SqliteSession(connection, null);
                    session.Execute("PRAGMA wal_autocheckpoint = 0");
                    // The write after a restart trims a WAL that long readers let grow (the restart itself keeps its size).
                    session.Execute("PRAGMA journal_size_limit = 134217728");
                }
                CommitBatch(connection, session!, batch);
                if (_restartWanted)
                {
                    _restartWanted = false;
                    RestartWal(connection, session!);
                }
            }
            catch (Exception ex)
            {
                foreach (var write in batch) write.Fail(ex);
                // The connection may be broken (file replaced, I/O error): start from a fresh one.
                session?.Dispose();
                connection?.Dispose();
                connection = null;
                session = null;
            }
        }
        session?.Dispose();
        connection?.Dispose();
    }

    /// <summary>
    /// Commits the batch in one transaction. Writes run without savepoints first: almost every batch
    /// succeeds whole, and a savepoint per write cost two statements plus a copy of every page the write
    /// touched. When one write throws, the transaction is rolled back and the batch runs again with a
    /// savepoint per write, so only the write at fault fails. Writes are functions of the database
    /// alone (their after-commit actions are dropped with a rollback), so running one twice is safe.
    /// </summary>
    private static void CommitBatch(SqliteConnection connection, SqliteSession session, List<IWrite> batch)
    {
        Exception? failure;
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            session.Transaction = transaction;
            try
            {
                foreach (var write in batch) write.Run(session);
                failure = null;
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                session.Transaction = null;
            }
            if (failure is null)
            {
                transaction.Commit();
            }
            else
            {
                session.AfterCommitActions.Clear();
                transaction.Rollback();
            }
        }

        if (failure is null)
            Finish(session, batch, failed: null);
        else if (batch.Count == 1)
            batch[0].Fail(failure);
        else
            CommitEachInSavepoint(connection, session, batch);
    }

    private static void CommitEachInSavepoint(SqliteConnection connection, SqliteSession session, List<IWrite> batch)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        session.Transaction = transaction;
        var failed = new bool[batch.Count];
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var actionsBefore = session.AfterCommitActions.Count;
                session.Execute("SAVEPOINT w");
                try
                {
                    batch[i].Run(session);
                    session.Execute("RELEASE w");
                }
                catch (Exception ex)
                {
                    session.Execute("ROLLBACK TO w");
                    session.Execute("RELEASE w");
                    session.AfterCommitActions.RemoveRange(actionsBefore, session.AfterCommitActions.Count - actionsBefore);
                    batch[i].Fail(ex);
                    failed[i] = true;
                }
            }
            transaction.Commit();
        }
        catch
        {
            session.AfterCommitActions.Clear();
            throw;
        }
        finally
        {
            session.Transaction = null;
        }
        Finish(session, batch, failed);
    }

    /// <summary>After a commit: the after-commit actions in commit order, then the callers resume.</summary>
    private static void Finish(SqliteSession session, List<IWrite> batch, bool[]? failed)
    {
        // In commit order, before any caller resumes: events reach the bus in the order of their ids.
        foreach (var action in session.AfterCommitActions)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                // Committed is committed: a lost signal only delays listeners, who replay from the table.
                System.Diagnostics.Trace.TraceWarning($"An after-commit action failed: {ex.Message}");
            }
        }
        session.AfterCommitActions.Clear();
        for (var i = 0; i < batch.Count; i++)
            if (failed is null || !failed[i]) batch[i].Succeed();
    }

    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await _stopping.CancelAsync();
        await _checkpointLoop.ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }

    private interface IWrite
    {
        void Run(SqliteSession session);
        void Succeed();
        void Fail(Exception exception);
    }

    private sealed class Write<T>(Func<SqliteSession, T> work) : IWrite
    {
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(SqliteSession session) => _result = work(session);

        public void Succeed() => Completion.TrySetResult(_result!);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
