using Npgsql;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL database for one test server, created on the server DOCKET_TEST_POSTGRES points at
/// and dropped afterwards. A missing server fails the test rather than skipping it: a suite that
/// passes because PostgreSQL was never tried would hide every PostgreSQL bug.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly string _server;

    private PostgresTestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static PostgresTestDatabase Create()
    {
        var server = Environment.GetEnvironmentVariable("DOCKET_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "DOCKET_TEST_POSTGRES is not set, so the PostgreSQL variants of the HTTP tests have no server. Run `make test`, "
                + "or `source scripts/test-services.sh start` in this shell and then `dotnet test`.");
        var name = $"docket_test_{Guid.NewGuid():N}";
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
        return new PostgresTestDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        // The server's pooled connections would keep DROP from running; FORCE ends them.
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
