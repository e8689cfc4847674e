using Docket.Data.Jobs;
using Docket.Data.Postgres;
using Docket.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Docket.Data.Tests;

/// <summary>Database:Provider picks the job store and the migrator; a setting that cannot work is refused at start-up.</summary>
public sealed class DataServicesTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "docket-data-tests", Guid.NewGuid().ToString("N"));

    private ServiceProvider Services(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))
                .Append(KeyValuePair.Create("Docket:DataDirectory", (string?)_dataDirectory)))
            .Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDocketData().BuildServiceProvider();
    }

    [Fact]
    public async Task TheDefault_IsSqlite()
    {
        await using var services = Services();
        Assert.IsType<SqliteJobStore>(services.GetRequiredService<IJobStore>());
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("PostgreSQL")]
    public async Task Postgres_UsesThePostgresStore(string provider)
    {
        await using var services = Services(("Database:Provider", provider), ("Database:ConnectionString", "Host=127.0.0.1;Database=docket"));
        Assert.IsType<PostgresJobStore>(services.GetRequiredService<IJobStore>());
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("postgresql")]
    public async Task Postgres_WithoutAConnectionString_IsRefused_SayingWhatIsMissing(string provider)
    {
        await using var services = Services(("Database:Provider", provider));

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DatabaseOptions>>().Value);

        Assert.Contains("Database:ConnectionString is required", refused.Message);
    }

    [Fact]
    public async Task AnUnknownProvider_IsRefused_NamingTheChoices()
    {
        await using var services = Services(("Database:Provider", "oracle"));

        var refused = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DatabaseOptions>>().Value);

        Assert.Contains("'sqlite'", refused.Message);
        Assert.Contains("'postgres'", refused.Message);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // The SQLite store was never opened.
        }
    }
}
