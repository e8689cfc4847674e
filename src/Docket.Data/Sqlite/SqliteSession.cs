using Microsoft.Data.Sqlite;

namespace Docket.Data.Sqlite;

/// <summary>
/// A connection plus a cache of its commands: reusing a command keeps SQLite's prepared
/// statement, which matters on the hot path (thousands of small writes a second).
/// </summary>
public sealed class SqliteSession(SqliteConnection connection, SqliteTransaction? transaction) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    internal SqliteTransaction? Transaction { get; set; } = transaction;

    internal List<Action> AfterCommitActions { get; } = [];

    /// <summary>
    /// Runs <paramref name="action"/> once the current write has committed, in commit order; never
    /// if it rolls back. Only the writer's session runs these.
    /// </summary>
    public void AfterCommit(Action action) => AfterCommitActions.Add(action);

    public SqliteCommand Command(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }
        command.Transaction = Transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public int Execute(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        Command(sql, parameters).ExecuteNonQuery();

    public object? Scalar(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var value = Command(sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public SqliteDataReader Query(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        Command(sql, parameters).ExecuteReader();

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Dispose();
        _commands.Clear();
    }
}
