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

    public SqliteDatabase(string connectionString)
    {
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
        _checkpointLoop = Task.Run(RunCheckpointsAsync);
    }

    /// <summary>
    /// The writer never checkpoints (wal_autocheckpoint = 0): copying the WAL back into the
    /// database inline would stall every queued write for milliseconds. A passive checkpoint here,
    /// on its own connection, runs beside the writer; a truncating one keeps the WAL from growing
    /// without bound when readers keep passive ones from finishing.
    /// </summary>
    private async Task RunCheckpointsAsync()
    {
        const long TruncateAbove = 64L * 1024 * 1024;
        var walPath = new SqliteConnectionStringBuilder(ConnectionString).DataSource + "-wal";
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    using var connection = OpenConnection();
                    using var command = connection.CreateCommand();
                    var large = File.Exists(walPath) && new FileInfo(walPath).Length > TruncateAbove;
                    command.CommandText = large ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)";
                    command.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // Busy or locked: the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public string ConnectionString { get; }

    /// <summary>
    /// synchronous=NORMAL in WAL mode: a commit survives the process being killed; only an OS
    /// crash or power loss can lose the last transactions. See docs/decisions.md.
    /// </summary>
    internal const string ConnectionPragmas = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";

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
                }
                CommitBatch(connection, session!, batch);
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
