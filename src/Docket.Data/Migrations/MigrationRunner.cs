using System.Data.Common;
using System.Reflection;

namespace Docket.Data.Migrations;

/// <summary>
/// Applies the ordered SQL scripts embedded under Migrations/{provider}/ that the database has
/// not seen yet, each in its own transaction together with its row in schema_migrations.
/// There is no EF tooling here (Microsoft.EntityFrameworkCore.Design does not restore), and plain
/// SQL keeps each provider's schema explicit and reviewable.
/// </summary>
public static class MigrationRunner
{
    public static IReadOnlyList<(string Version, string Sql)> Scripts(string provider)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"Migrations/{provider}/";
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => (Path.GetFileNameWithoutExtension(name), Read(assembly, name)))
            .ToList();
    }

    /// <param name="beginExclusive">
    /// Starts a transaction that holds the database's migration lock, so two nodes starting at
    /// once never apply the same script twice (SQLite: BEGIN IMMEDIATE; PostgreSQL: a plain
    /// transaction, because the caller holds a session advisory lock around the whole run).
    /// </param>
    /// <returns>The versions applied by this call.</returns>
    public static IReadOnlyList<string> Apply(DbConnection connection, string provider, Func<DbConnection, DbTransaction> beginExclusive)
    {
        Execute(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
        var applied = new List<string>();
        foreach (var (version, sql) in Scripts(provider))
        {
            using var transaction = beginExclusive(connection);
            var seen = ExecuteScalar(connection, transaction,
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @v", ("@v", version));
            if (Convert.ToInt64(seen) > 0)
            {
                transaction.Commit();
                continue;
            }
            Execute(connection, transaction, sql);
            Execute(connection, transaction,
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@v, @at)",
                ("@v", version), ("@at", DateTime.UtcNow.ToString("O")));
            transaction.Commit();
            applied.Add(version);
        }
        return applied;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string, object)[] parameters)
    {
        using var command = Create(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static object? ExecuteScalar(DbConnection connection, DbTransaction? transaction, string sql, params (string, object)[] parameters)
    {
        using var command = Create(connection, transaction, sql, parameters);
        return command.ExecuteScalar();
    }

    private static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
