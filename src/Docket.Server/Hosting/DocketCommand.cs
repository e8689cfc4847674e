using System.CommandLine;
using Docket.Data;
using Docket.Server.Cli;
using Docket.Server.Features.Backup;
using Microsoft.Extensions.Options;

namespace Docket.Server.Hosting;

/// <summary>One executable: the roles serve, worker and migrate, extract (offline, no server), and the client commands of <see cref="ClientCommands"/>.</summary>
public static class DocketCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        // No command named (as when a test host or a plain `docket --urls ...` starts us): serve, with the
        // arguments as host configuration. A mistyped command is a usage error, not a server start.
        if (args.Length == 0 || (args[0].StartsWith('-') && !args.Any(a => a is "-h" or "--help" or "-?" or "--version")))
        {
            await DocketHost.BuildServer(args).RunAsync();
            return 0;
        }

        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:8080" };
        var noWorker = new Option<bool>("--no-worker") { Description = "Serve the API only; run workers with `docket worker`" };
        var serve = new Command("serve", "Run the HTTP API and web UI (and a worker, unless --no-worker)") { urls, noWorker };
        serve.TreatUnmatchedTokensAsErrors = false;
        serve.SetAction(async (parse, _) =>
        {
            var hostArgs = parse.UnmatchedTokens.ToList();
            if (parse.GetValue(urls) is { } listen) hostArgs.AddRange(["--urls", listen]);
            if (parse.GetValue(noWorker)) hostArgs.Add("--Server:NoWorker=true");
            await DocketHost.BuildServer([.. hostArgs]).RunAsync();
            return 0;
        });

        var worker = new Command("worker", "Claim and process jobs from the shared database");
        worker.TreatUnmatchedTokensAsErrors = false;
        worker.SetAction(async (parse, _) =>
        {
            await DocketHost.BuildWorker([.. parse.UnmatchedTokens]).RunAsync();
            return 0;
        });

        var migrate = new Command("migrate", "Apply database migrations and exit");
        migrate.TreatUnmatchedTokensAsErrors = false;
        migrate.SetAction(parse =>
        {
            using var host = DocketHost.BuildWorker([.. parse.UnmatchedTokens]);
            var applied = host.Services.GetRequiredService<DatabaseMigrator>().Migrate();
            var provider = host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
            Console.WriteLine(applied.Count == 0
                ? $"The {provider} database is up to date."
                : $"Applied to the {provider} database: {string.Join(", ", applied)}");
            return 0;
        });

        var backupOut = new Option<string?>("--out") { Description = "The folder to write (new or empty); default backups/docket-<UTC time>" };
        var backup = new Command("backup", "Copy the database (online) and the stored files into one folder") { backupOut };
        backup.TreatUnmatchedTokensAsErrors = false;
        backup.SetAction(async (parse, cancellationToken) =>
            await RunBackupToolAsync(parse.UnmatchedTokens, tool => tool.BackupAsync(parse.GetValue(backupOut), cancellationToken)));

        var restoreFrom = new Option<string>("--from") { Description = "A folder written by `docket backup`", Required = true };
        var restoreForce = new Option<bool>("--force") { Description = "Replace a database that already holds documents" };
        var restore = new Command("restore", "Restore a backup into the configured (empty) database and file store; the server must not be running on them")
        {
            restoreFrom, restoreForce,
        };
        restore.TreatUnmatchedTokensAsErrors = false;
        restore.SetAction(async (parse, cancellationToken) => await RunBackupToolAsync(parse.UnmatchedTokens,
            tool => tool.RestoreAsync(parse.GetValue(restoreFrom)!, parse.GetValue(restoreForce), cancellationToken)));

        var root = new RootCommand("Docket: asynchronous document processing") { serve, worker, migrate, backup, restore, ExtractCommand.Create(), UsersCommand.Create() };
        foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
        ClientCommands.AddGlobalOptions(root);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
        {
            foreach (var error in parsed.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Run `docket --help` (or `docket COMMAND --help`) for usage.");
            return ClientCommands.Usage;
        }
        return await parsed.InvokeAsync();
    }

    private static async Task<int> RunBackupToolAsync(IReadOnlyList<string> hostArguments, Func<BackupTool, Task<int>> run)
    {
        using var host = DocketHost.BuildTool([.. hostArguments]);
        var services = host.Services;
        var tool = new BackupTool(services, services.GetRequiredService<IOptions<DatabaseOptions>>(),
            Options.Create(services.GetRequiredService<IConfiguration>().GetSection(BackupOptions.Section).Get<BackupOptions>() ?? new BackupOptions()),
            Console.Out);
        try
        {
            return await run(tool);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or Microsoft.Data.Sqlite.SqliteException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
    }
}
