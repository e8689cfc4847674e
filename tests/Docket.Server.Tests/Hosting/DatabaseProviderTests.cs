using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Docket.Server.Tests.Hosting;

/// <summary>Database:Provider picks the database, and a PostgreSQL setup without a connection string does not start.</summary>
public class DatabaseProviderTests
{
    [Fact]
    public async Task APostgresServer_KeepsItsDocumentsInPostgres_AndNoSqliteFile()
    {
        await using var server = new PostgresDocketFactory();
        var client = server.CreateClient();

        var (documentId, _) = await client.UploadTextAsync("where-am-i.txt", "Stored in PostgreSQL, not in a SQLite file.");

        await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT filename FROM documents WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", documentId);
        Assert.Equal("where-am-i.txt", await command.ExecuteScalarAsync());
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "docket.db")), "a PostgreSQL server should not create a SQLite file");
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("PostgreSQL")]
    public async Task APostgresServerWithoutAConnectionString_RefusesToStart_SayingWhatIsMissing(string provider)
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Database:Provider"] = provider });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("Database:ConnectionString is required", refused.Message);
    }

    [Fact]
    public async Task AnUnknownProvider_RefusesToStart_NamingTheChoices()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Database:Provider"] = "oracle" });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("'sqlite'", refused.Message);
        Assert.Contains("'postgres'", refused.Message);
    }
}
