using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Postgres;
using Npgsql;

namespace Docket.Data.Tests.Postgres;

/// <summary>
/// PostgreSQL going away is not the store's to hide: the worker logs the error and claims again
/// after a backoff, so the store must throw (and say the error is transient), then work again.
/// </summary>
public sealed class PostgresJobStoreFailureTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static PostgresJobStore Store(NpgsqlDataSource dataSource) =>
        new(dataSource, new InProcessEventBus(), Microsoft.Extensions.Options.Options.Create(new QueueOptions()), new ManualClock());

    [Fact]
    public async Task Claim_ThrowsATransientError_WhenTheServerIsUnreachable()
    {
        // A port nothing listens on: the connection is refused at once.
        var unreachable = new NpgsqlConnectionStringBuilder(TempPostgresDatabase.ServerConnectionString) { Port = 1, Timeout = 2 };
        await using var dataSource = NpgsqlDataSource.Create(unreachable.ToString());

        var error = await Assert.ThrowsAsync<NpgsqlException>(() => Store(dataSource).ClaimAsync("w", 1, Lease, CancellationToken.None));

        Assert.True(error.IsTransient, $"a refused connection should count as transient: {error}");
    }

    [Fact]
    public async Task Claim_RecoversOnTheNextCall_AfterTheServerEndedEveryConnection()
    {
        await using var database = await TempPostgresDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        new DatabaseMigrator(dataSource, new ManualClock()).Migrate();
        var store = Store(dataSource);
        Assert.Empty(await store.ClaimAsync("w", 1, Lease, CancellationToken.None));

        // What an administrator's shutdown or a failover does to the pooled connections (57P01).
        await using (var admin = new NpgsqlConnection(TempPostgresDatabase.ServerConnectionString))
        {
            await admin.OpenAsync();
            await using var terminate = new NpgsqlCommand(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", admin);
            terminate.Parameters.AddWithValue("name", database.Name);
            Assert.True((long)(await terminate.ExecuteScalarAsync())! > 0, "the store's pooled connection should have been ended");
        }

        // The first call may meet a dead pooled connection: it must fail as transient, never hang or corrupt anything.
        try
        {
            await store.ClaimAsync("w", 1, Lease, CancellationToken.None);
        }
        catch (NpgsqlException error)
        {
            Assert.True(error.IsTransient || error is PostgresException { SqlState: "57P01" } || error.SqlState?.StartsWith("08") == true,
                $"a connection ended by the server should count as transient: {error}");
        }
        Assert.Empty(await store.ClaimAsync("w", 1, Lease, CancellationToken.None));
    }
}
