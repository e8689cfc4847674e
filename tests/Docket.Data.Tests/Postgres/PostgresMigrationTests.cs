using Docket.Data.Migrations;
using Npgsql;

namespace Docket.Data.Tests.Postgres;

public sealed class PostgresMigrationTests
{
    [Fact]
    public async Task Migrate_AppliesEveryScriptOnce_AndNothingTheSecondTime()
    {
        await using var database = await TempPostgresDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var migrator = new DatabaseMigrator(dataSource, new ManualClock());

        var first = migrator.Migrate();
        var second = migrator.Migrate();

        Assert.Equal(MigrationRunner.Scripts("postgres").Select(s => s.Version), first);
        Assert.NotEmpty(first);
        Assert.Empty(second);
        await AssertAppliedOnceAsync(dataSource);
        await using var users = dataSource.CreateCommand("SELECT COUNT(*) FROM users WHERE id = @id");
        users.Parameters.AddWithValue("id", DataServices.DefaultUserId);
        Assert.Equal(1L, await users.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_FromManyNodesAtOnce_AppliesEachScriptExactlyOnce()
    {
        // Several rounds on fresh databases: one round may not make the migrators overlap. Without the
        // advisory lock the losers fail outright (duplicate schema_migrations table or users table).
        for (var round = 0; round < 3; round++)
        {
            await using var database = await TempPostgresDatabase.CreateAsync();
            var dataSources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(database.ConnectionString)).ToList();
            try
            {
                using var start = new Barrier(dataSources.Count);
                var runs = await Task.WhenAll(dataSources.Select(dataSource => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    return new DatabaseMigrator(dataSource, new ManualClock()).Migrate();
                }, TaskCreationOptions.LongRunning)));

                Assert.Equal(MigrationRunner.Scripts("postgres").Select(s => s.Version),
                    runs.SelectMany(applied => applied).Order(StringComparer.Ordinal));
                await AssertAppliedOnceAsync(dataSources[0]);
            }
            finally
            {
                foreach (var dataSource in dataSources) await dataSource.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Migrate_WaitsForTheNodeThatHoldsTheMigrationLock()
    {
        await using var database = await TempPostgresDatabase.CreateAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var holder = await dataSource.OpenConnectionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({DatabaseMigrator.PostgresMigrationLock})", holder))
            await take.ExecuteNonQueryAsync();

        var migrating = Task.Run(() => new DatabaseMigrator(dataSource, new ManualClock()).Migrate());
        await Task.Delay(300);
        Assert.False(migrating.IsCompleted, "the migrator should wait while another node holds the lock");

        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({DatabaseMigrator.PostgresMigrationLock})", holder))
            await release.ExecuteNonQueryAsync();
        Assert.Equal(MigrationRunner.Scripts("postgres").Select(s => s.Version), await migrating.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static async Task AssertAppliedOnceAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<string>();
        while (await reader.ReadAsync()) versions.Add(reader.GetString(0));
        Assert.Equal(MigrationRunner.Scripts("postgres").Select(s => s.Version), versions);
    }
}
