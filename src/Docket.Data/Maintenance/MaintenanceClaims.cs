using System.Text;
using Docket.Data.Sqlite;
using Npgsql;

namespace Docket.Data.Maintenance;

/// <summary>A claimed run of a maintenance task; completing (or disposing) it records the end and lets others run it again.</summary>
public interface IMaintenanceRun : IAsyncDisposable
{
    Task CompleteAsync(string outcome);
}

/// <summary>
/// Decides which node runs a maintenance task, and when. A node may start a task only when its row in
/// maintenance_runs says the last run started at least one interval ago and has finished (or started
/// three intervals ago, so a node that died mid-run does not block the task for good). Claiming is
/// one guarded UPDATE, atomic on both databases, so of several nodes asking at once exactly one wins.
/// </summary>
public interface IMaintenanceClaims
{
    Task<IMaintenanceRun?> TryStartAsync(string task, TimeSpan interval, string node, CancellationToken cancellationToken);
}

/// <summary>
/// SQLite (embedded; several local processes may share the file): the claim goes through the one
/// writer connection like every other write.
/// </summary>
public sealed class SqliteMaintenanceClaims(SqliteDatabase db, TimeProvider clock) : IMaintenanceClaims
{
    public async Task<IMaintenanceRun?> TryStartAsync(string task, TimeSpan interval, string node, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var every = (long)interval.TotalMilliseconds;
        var claimed = await db.WriteAsync(s =>
        {
            s.Execute("INSERT INTO maintenance_runs (task) VALUES (@task) ON CONFLICT (task) DO NOTHING", ("@task", task));
            return s.Execute("""
                UPDATE maintenance_runs SET started_at = @now, finished_at = NULL, node = @node, outcome = NULL
                WHERE task = @task AND (started_at IS NULL
                    OR (started_at <= @now - @every AND (finished_at IS NOT NULL OR started_at <= @now - 3 * @every)))
                """, ("@now", now), ("@node", node), ("@task", task), ("@every", every)) == 1;
        });
        return claimed ? new Run(db, clock, task, now) : null;
    }

    private sealed class Run(SqliteDatabase db, TimeProvider clock, string task, long startedAt) : IMaintenanceRun
    {
        private bool _done;

        public async Task CompleteAsync(string outcome)
        {
            if (_done) return;
            _done = true;
            await db.WriteAsync(s => s.Execute(
                "UPDATE maintenance_runs SET finished_at = @now, outcome = @outcome WHERE task = @task AND started_at = @started",
                ("@now", clock.GetUtcNow().ToUnixTimeMilliseconds()), ("@outcome", outcome), ("@task", task), ("@started", startedAt)));
        }

        public async ValueTask DisposeAsync() => await CompleteAsync("ended without an outcome");
    }
}

/// <summary>
/// PostgreSQL (distributed): besides the claim, the node holds a session advisory lock on the task for
/// the whole run, so two runs of one task never overlap however long one takes; a node that dies
/// loses its session and with it the lock. Times are the database's, so nodes' clocks may differ.
/// </summary>
public sealed class PostgresMaintenanceClaims(NpgsqlDataSource dataSource) : IMaintenanceClaims
{
    public async Task<IMaintenanceRun?> TryStartAsync(string task, TimeSpan interval, string node, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await ScalarAsync(connection, "SELECT pg_try_advisory_lock(@key)", cancellationToken, ("key", LockKey(task))) is not true)
            {
                await connection.DisposeAsync();
                return null;
            }
            await ScalarAsync(connection, "INSERT INTO maintenance_runs (task) VALUES (@task) ON CONFLICT (task) DO NOTHING", cancellationToken,
                ("task", task));
            var started = await ScalarAsync(connection, """
                UPDATE maintenance_runs SET started_at = now(), finished_at = NULL, node = @node, outcome = NULL
                WHERE task = @task AND (started_at IS NULL
                    OR (started_at <= now() - @every AND (finished_at IS NOT NULL OR started_at <= now() - 3 * @every)))
                RETURNING started_at
                """, cancellationToken, ("node", node), ("task", task), ("every", interval));
            if (started is DateTime or DateTimeOffset) return new Run(connection, task);
            await UnlockAsync(connection, task);
            return null;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A stable 64-bit key per task (FNV-1a of "docket:maintenance:" and the name); string.GetHashCode differs per process.</summary>
    public static long LockKey(string task)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes("docket:maintenance:" + task))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return unchecked((long)hash);
    }

    private static async Task UnlockAsync(NpgsqlConnection connection, string task)
    {
        try
        {
            await ScalarAsync(connection, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", LockKey(task)));
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private sealed class Run(NpgsqlConnection connection, string task) : IMaintenanceRun
    {
        private bool _done;

        public async Task CompleteAsync(string outcome)
        {
            if (_done) return;
            _done = true;
            try
            {
                await ScalarAsync(connection, "UPDATE maintenance_runs SET finished_at = now(), outcome = @outcome WHERE task = @task",
                    CancellationToken.None, ("outcome", outcome), ("task", task));
            }
            finally
            {
                await UnlockAsync(connection, task);
            }
        }

        public async ValueTask DisposeAsync() => await CompleteAsync("ended without an outcome");
    }
}
