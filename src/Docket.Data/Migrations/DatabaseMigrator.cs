using System.Data.Common;
using Docket.Data.Migrations;
using Docket.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Docket.Data;

/// <summary>Brings the schema up to date and makes sure the default user exists, on either provider.</summary>
public sealed class DatabaseMigrator
{
    /// <summary>The advisory lock every PostgreSQL node takes to migrate ("docket" in ASCII).</summary>
    public const long PostgresMigrationLock = 0x646F636B6574;

    private readonly SqliteDatabase? _sqlite;
    private readonly NpgsqlDataSource? _postgres;
    private readonly TimeProvider _clock;

    public DatabaseMigrator(SqliteDatabase database, TimeProvider clock)
    {
        _sqlite = database;
        _clock = clock;
    }

    public DatabaseMigrator(NpgsqlDataSource dataSource, TimeProvider clock)
    {
        _postgres = dataSource;
        _clock = clock;
    }

    /// <returns>The versions this call applied.</returns>
    public IReadOnlyList<string> Migrate() => _postgres is { } dataSource ? MigratePostgres(dataSource) : MigrateSqlite(_sqlite!);

    private IReadOnlyList<string> MigrateSqlite(SqliteDatabase database)
    {
        using var connection = database.OpenConnection();
        var applied = MigrationRunner.Apply(connection, "sqlite", c => ((SqliteConnection)c).BeginTransaction(deferred: false));
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO users (id, email, display_name, role, created_at) VALUES (@id, 'local@docket', 'Local user', 'admin', @now)
            ON CONFLICT (id) DO NOTHING
            """;
        command.Parameters.AddWithValue("@id", DataServices.DefaultUserId.ToString("D"));
        command.Parameters.AddWithValue("@now", _clock.GetUtcNow().ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
        return applied;
    }

    /// <summary>
    /// A session-level advisory lock around the whole run, not one per script: the runner's
    /// CREATE TABLE IF NOT EXISTS schema_migrations is itself not safe to run from two sessions at
    /// once in PostgreSQL (both may pass the check and one fails on the catalog's unique index).
    /// A node that waits on the lock then finds every script recorded and applies nothing.
    /// </summary>
    private IReadOnlyList<string> MigratePostgres(NpgsqlDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        Execute(connection, "SELECT pg_advisory_lock(@key)", ("@key", PostgresMigrationLock));
        try
        {
            var applied = MigrationRunner.Apply(connection, "postgres", c => c.BeginTransaction());
            Execute(connection, """
                INSERT INTO users (id, email, display_name, role, created_at) VALUES (@id, 'local@docket', 'Local user', 'admin', @now)
                ON CONFLICT (id) DO NOTHING
                """, ("@id", DataServices.DefaultUserId), ("@now", _clock.GetUtcNow()));
            return applied;
        }
        finally
        {
            // Also released when the connection closes, but a pooled connection stays open.
            if (connection.State == System.Data.ConnectionState.Open)
                Execute(connection, "SELECT pg_advisory_unlock(@key)", ("@key", PostgresMigrationLock));
        }
    }

    private static void Execute(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        command.ExecuteNonQuery();
    }
}
