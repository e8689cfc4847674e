using System.Diagnostics;
using System.Text.Json;
using Docket.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Docket.Server.Features.Backup;

/// <summary>Section "Backup".</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>The folder holding pg_dump and pg_restore; empty: PATH, then the newest /usr/lib/postgresql/*/bin.</summary>
    public string? PostgresBin { get; set; }
}

/// <summary>What a backup folder holds, written last: a folder without it is an unfinished backup.</summary>
public sealed record BackupManifest(int Format, string Provider, DateTimeOffset CreatedAt, string Database, int Files, long FileBytes, int Documents);

/// <summary>
/// `docket backup` and `docket restore`: the database (SQLite through its online backup API, so a running
/// server keeps writing; PostgreSQL with pg_dump and pg_restore) and the stored files, in one folder.
/// The database is copied first and the files after it, so every document in the copy has its file
/// there too (files are stored before their rows commit). Restore checks that every document's file
/// arrived and says which did not.
/// </summary>
public sealed class BackupTool(IServiceProvider services, IOptions<DatabaseOptions> database, IOptions<BackupOptions> options, TextWriter output)
{
    private const string ManifestName = "manifest.json";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<int> BackupAsync(string? folder, CancellationToken cancellationToken)
    {
        var target = Path.GetFullPath(folder ?? Path.Combine("backups", $"docket-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            await output.WriteLineAsync($"{target} is not empty; choose a new folder.");
            return 1;
        }
        Directory.CreateDirectory(target);

        string databaseFile;
        int documents;
        if (database.Value.IsPostgres)
        {
            databaseFile = "docket.pgdump";
            documents = await CountDocumentsPostgresAsync(cancellationToken);
            await RunAsync("pg_dump", ["--format=custom", "--no-owner", "--file", Path.Combine(target, databaseFile)], cancellationToken);
        }
        else
        {
            databaseFile = "docket.db";
            using var source = new SqliteConnection(DataServices.SqliteConnectionString(services));
            source.Open();
            using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(target, databaseFile), Pooling = false }.ToString());
            copy.Open();
            source.BackupDatabase(copy);
            documents = CountDocuments(copy);
        }

        var (files, bytes) = CopyTree(DataServices.StorageRoot(services), Path.Combine(target, "files"));
        var manifest = new BackupManifest(1, database.Value.IsPostgres ? "postgres" : "sqlite", DateTimeOffset.UtcNow, databaseFile, files, bytes, documents);
        await File.WriteAllTextAsync(Path.Combine(target, ManifestName), JsonSerializer.Serialize(manifest, Json), cancellationToken);
        await output.WriteLineAsync($"Backed up {documents} documents and {files} files ({bytes:N0} bytes) to {target}");
        return 0;
    }

    public async Task<int> RestoreAsync(string folder, bool force, CancellationToken cancellationToken)
    {
        var source = Path.GetFullPath(folder);
        var manifestPath = Path.Combine(source, ManifestName);
        if (!File.Exists(manifestPath))
        {
            await output.WriteLineAsync($"{source} holds no {ManifestName}: it is not a finished Docket backup.");
            return 1;
        }
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, cancellationToken), Json)!;
        var provider = database.Value.IsPostgres ? "postgres" : "sqlite";
        if (manifest.Provider != provider)
        {
            await output.WriteLineAsync($"The backup is of a {manifest.Provider} database; this configuration uses {provider}.");
            return 1;
        }

        List<string> keys;
        if (database.Value.IsPostgres)
        {
            if (!force && await CountDocumentsPostgresAsync(cancellationToken) is > 0 and var existing)
            {
                await output.WriteLineAsync($"The target database already holds {existing} documents; restore into an empty one, or pass --force to replace it.");
                return 1;
            }
            await RunAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", Path.Combine(source, manifest.Database)],
                cancellationToken, databaseArgument: "--dbname");
            keys = await StorageKeysPostgresAsync(cancellationToken);
        }
        else
        {
            var targetPath = new SqliteConnectionStringBuilder(DataServices.SqliteConnectionString(services)).DataSource;
            if (File.Exists(targetPath) && !force)
            {
                await output.WriteLineAsync($"{targetPath} exists; restore into a fresh data folder, or pass --force to replace it.");
                return 1;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(targetPath))!);
            foreach (var leftover in new[] { targetPath, targetPath + "-wal", targetPath + "-shm" }) File.Delete(leftover);
            using var backup = new SqliteConnection(new SqliteConnectionStringBuilder
                { DataSource = Path.Combine(source, manifest.Database), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            backup.Open();
            using var restored = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = targetPath, Pooling = false }.ToString());
            restored.Open();
            backup.BackupDatabase(restored);
            keys = StorageKeys(restored);
        }

        var root = DataServices.StorageRoot(services);
        var (files, bytes) = CopyTree(Path.Combine(source, "files"), root);
        // A document stored in the database came back with its row, in the same dump.
        var missing = keys.Where(key => !Data.Storage.StorageKeys.IsInDatabase(key) && !File.Exists(Path.Combine(root, key))).ToList();
        await output.WriteLineAsync($"Restored {keys.Count} documents and {files} files ({bytes:N0} bytes) from {source}");
        if (missing.Count == 0) return 0;
        await output.WriteLineAsync($"{missing.Count} documents have no file: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", ..." : "")}");
        return 1;
    }

    /// <returns>How many files and bytes were copied.</returns>
    private static (int Files, long Bytes) CopyTree(string from, string to)
    {
        if (!Directory.Exists(from)) return (0, 0);
        int files = 0;
        long bytes = 0;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            files++;
            bytes += new FileInfo(target).Length;
        }
        return (files, bytes);
    }

    private static int CountDocuments(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM documents";
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private static List<string> StorageKeys(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT storage_key FROM documents";
        using var reader = command.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read()) keys.Add(reader.GetString(0));
        return keys;
    }

    private async Task<int> CountDocumentsPostgresAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT CASE WHEN to_regclass('documents') IS NULL THEN 0 ELSE (SELECT COUNT(*) FROM documents) END", connection);
        try
        {
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken));
        }
        catch (PostgresException)
        {
            return 0;
        }
    }

    private async Task<List<string>> StorageKeysPostgresAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT storage_key FROM documents", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken)) keys.Add(reader.GetString(0));
        return keys;
    }

    /// <summary>Runs pg_dump or pg_restore against the configured database; the password goes in the environment, never the arguments.</summary>
    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string databaseArgument = "--dbname")
    {
        var connection = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString);
        var start = new ProcessStartInfo(FindTool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--host");
        start.ArgumentList.Add(connection.Host ?? "localhost");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (connection.Username is { Length: > 0 } user)
        {
            start.ArgumentList.Add("--username");
            start.ArgumentList.Add(user);
        }
        start.ArgumentList.Add("--no-password");
        start.ArgumentList.Add(databaseArgument + "=" + connection.Database);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (connection.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
    }

    private string FindTool(string tool)
    {
        if (options.Value.PostgresBin is { Length: > 0 } bin) return Path.Combine(bin, tool);
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (folder.Length > 0 && File.Exists(Path.Combine(folder, tool))) return Path.Combine(folder, tool);
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin", tool)).Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var major) ? major : 0)
                .FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException($"{tool} was not found; install PostgreSQL's client tools or set Backup:PostgresBin.");
    }
}
