using Docket.Server.Tests.Infrastructure;
using Npgsql;

namespace Docket.Server.Tests.Hosting;

/// <summary>Database:Provider picks the database the server runs on.</summary>
public class DatabaseProviderTests
{
    [Fact]
    public async Task APostgresServer_KeepsItsDocumentsInPostgres_AndNoSqliteFile()
    {
        await using var server = new PostgresDocketFactory();
        var client = server.CreateAuthenticatedClient();

        var (documentId, _) = await client.UploadTextAsync("where-am-i.txt", "Stored in PostgreSQL, not in a SQLite file.");

        await using var connection = new NpgsqlConnection(server.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT filename FROM documents WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", documentId);
        Assert.Equal("where-am-i.txt", await command.ExecuteScalarAsync());
        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "docket.db")), "a PostgreSQL server should not create a SQLite file");
    }
}
