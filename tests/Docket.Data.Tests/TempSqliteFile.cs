using Microsoft.Data.Sqlite;

namespace Docket.Data.Tests;

/// <summary>A fresh SQLite file path per test, deleted (with its WAL and shared-memory files) afterwards.</summary>
public sealed class TempSqliteFile : IDisposable
{
    public TempSqliteFile()
    {
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docket-data-tests");
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, $"{Guid.NewGuid():N}.db");
    }

    public string Path { get; }

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = Path }.ToString();

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            try
            {
                File.Delete(Path + suffix);
            }
            catch (IOException)
            {
                // A pooled connection of another test may still hold it for a moment; it is only a temp file.
            }
        }
    }
}
