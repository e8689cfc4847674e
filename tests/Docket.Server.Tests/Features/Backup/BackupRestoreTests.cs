using Docket.Server.Features.Accounts;
using System.Diagnostics;
using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Backup;

/// <summary>
/// `docket backup` (the real executable) of a running server's database and files, `docket restore` into a
/// fresh data folder (and, on PostgreSQL, an empty database), then a new server on the restored copy
/// finds every document, its status and its original bytes.
/// </summary>
public sealed class BackupRestoreTests
{
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task ARestoredBackup_HoldsEveryDocumentAndItsFile(TestDatabase database)
    {
        var root = Path.Combine(Path.GetTempPath(), "docket-backup-tests", Guid.NewGuid().ToString("N"));
        var backupFolder = Path.Combine(root, "backup");
        var restoredData = Path.Combine(root, "restored");
        await using var emptyTarget = database == TestDatabase.Postgres ? PostgresTestDatabase.Create() : null;
        try
        {
            var originals = new Dictionary<Guid, (byte[] Bytes, string Status)>();
            await using (var source = DocketFactory.Create(database: database))
            {
                var client = source.CreateAuthenticatedClient(Roles.Admin);
                foreach (var name in Samples.FileNames)
                {
                    var bytes = Samples.Read(name);
                    var (id, _) = await client.UploadOneAsync(name, bytes);
                    originals[id] = (bytes, "");
                }
                foreach (var id in originals.Keys.ToList())
                    originals[id] = (originals[id].Bytes, (await client.WaitForDocumentAsync(id, "processed")).Str("status"));
                var approved = originals.Keys.First();
                await client.PostJsonAsync($"/api/v1/review/{approved}/approve", null, HttpStatusCode.OK);
                originals[approved] = (originals[approved].Bytes, "finalized");

                // Online: the server that owns the database is still running.
                var backup = await DocketAsync(Environment(source.DataDirectory, source.PostgresConnectionString), "backup", "--out", backupFolder);
                Assert.True(backup.ExitCode == 0, backup.ToString());
                Assert.Contains($"Backed up {originals.Count} documents", backup.Stdout);
            }

            var restore = await DocketAsync(Environment(restoredData, emptyTarget?.ConnectionString), "restore", "--from", backupFolder);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            var again = await DocketAsync(Environment(restoredData, emptyTarget?.ConnectionString), "restore", "--from", backupFolder);
            Assert.Equal(1, again.ExitCode);

            var settings = new Dictionary<string, string?> { ["Docket:DataDirectory"] = restoredData };
            if (emptyTarget is not null)
            {
                settings["Database:Provider"] = "postgres";
                settings["Database:ConnectionString"] = emptyTarget.ConnectionString;
            }
            await using var restored = DocketFactory.Create(settings);
            var restoredClient = restored.CreateAuthenticatedClient(Roles.Admin);
            var listed = await restoredClient.GetJsonAsync("/api/v1/documents?page_size=100");
            Assert.Equal(originals.Keys.Order(), listed.GetProperty("items").EnumerateArray().Select(d => d.Guid("id")).Order());
            foreach (var (id, (bytes, status)) in originals)
            {
                Assert.Equal(status, (await restoredClient.GetJsonAsync($"/api/v1/documents/{id}")).Str("status"));
                Assert.Equal(bytes, await restoredClient.GetByteArrayAsync($"/api/v1/documents/{id}/file"));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static Dictionary<string, string> Environment(string dataDirectory, string? postgres)
    {
        var environment = new Dictionary<string, string> { ["Docket__DataDirectory"] = dataDirectory };
        if (postgres is not null)
        {
            environment["Database__Provider"] = "postgres";
            environment["Database__ConnectionString"] = postgres;
            if (System.Environment.GetEnvironmentVariable("DOCKET_TEST_PG_BIN") is { Length: > 0 } bin) environment["Backup__PostgresBin"] = bin;
        }
        return environment;
    }

    private static async Task<RunResult> DocketAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "docket.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    private sealed record RunResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }
}
