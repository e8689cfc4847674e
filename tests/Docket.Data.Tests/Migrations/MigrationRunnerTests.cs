using Docket.Data.Migrations;
using Docket.Data.Sqlite;

namespace Docket.Data.Tests.Migrations;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task Migrate_AppliesEveryScriptOnce_AndNothingTheSecondTime()
    {
        using var file = new TempSqliteFile();
        await using var database = new SqliteDatabase(file.ConnectionString);
        var migrator = new DatabaseMigrator(database, new ManualClock());

        var first = migrator.Migrate();
        var second = migrator.Migrate();

        Assert.Equal(MigrationRunner.Scripts("sqlite").Select(s => s.Version), first);
        Assert.NotEmpty(first);
        Assert.Empty(second);
        AssertAppliedOnce(database);
        Assert.Equal(1L, database.Read(s => s.Scalar("SELECT COUNT(*) FROM users WHERE id = @id", ("@id", DataServices.DefaultUserId.ToString("D")))));
    }

    [Fact]
    public async Task Migrate_FromTwoNodesAtOnce_AppliesEachScriptExactlyOnce()
    {
        // Several rounds on fresh files: one round may not make the two threads overlap.
        for (var round = 0; round < 5; round++)
        {
            using var file = new TempSqliteFile();
            await using var first = new SqliteDatabase(file.ConnectionString);
            await using var second = new SqliteDatabase(file.ConnectionString);
            using var start = new Barrier(2);

            IReadOnlyList<string> MigrateWhenBothAreReady(SqliteDatabase database)
            {
                start.SignalAndWait();
                return new DatabaseMigrator(database, new ManualClock()).Migrate();
            }

            var runs = await Task.WhenAll(
                Task.Factory.StartNew(() => MigrateWhenBothAreReady(first), TaskCreationOptions.LongRunning),
                Task.Factory.StartNew(() => MigrateWhenBothAreReady(second), TaskCreationOptions.LongRunning));

            Assert.Equal(MigrationRunner.Scripts("sqlite").Select(s => s.Version), runs.SelectMany(applied => applied).Order(StringComparer.Ordinal));
            AssertAppliedOnce(first);
        }
    }

    private static void AssertAppliedOnce(SqliteDatabase database)
    {
        var recorded = database.Read(s =>
        {
            using var reader = s.Query("SELECT version FROM schema_migrations ORDER BY version");
            var versions = new List<string>();
            while (reader.Read()) versions.Add(reader.GetString(0));
            return versions;
        });
        Assert.Equal(MigrationRunner.Scripts("sqlite").Select(s => s.Version), recorded);
    }
}
