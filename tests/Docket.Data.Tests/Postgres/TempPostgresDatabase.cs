using Npgsql;

namespace Docket.Data.Tests.Postgres;

/// <summary>
/// A fresh PostgreSQL database per test, created on the server DOCKET_TEST_POSTGRES points at and
/// dropped afterwards. A missing server fails the test instead of skipping it: a suite that passes
/// because PostgreSQL was never tried would hide every PostgreSQL bug.
/// </summary>
public sealed class TempPostgresDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TempPostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("DOCKET_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "DOCKET_TEST_POSTGRES is not set, so the PostgreSQL tests have no server. Run `make test`, "
                + "or `source scripts/test-services.sh start` in this shell and then `dotnet test`.");

    public static async Task<TempPostgresDatabase> CreateAsync()
    {
        var server = ServerConnectionString;
        var name = $"docket_test_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return new TempPostgresDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        // Pooled connections to the database would keep DROP from running; FORCE ends them.
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
