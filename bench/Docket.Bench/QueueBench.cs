using System.Data.Common;
using System.Diagnostics;
using Docket.Data;
using Docket.Data.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Bench;

/// <summary>
/// The queue alone: no-op jobs claimed and completed by PROCESSES worker processes, each claiming
/// SLOTS at a time, through the same IJobStore the workers use. WARMUP jobs (as many as JOBS unless
/// given) go first, so the JIT has compiled the workers' path, as it has in a worker that has run a
/// while; throughput is read from the jobs themselves: the JOBS completed after the warm-up's last, over
/// the span from that completion to the last. WARMUP 0 measures cold processes from their first claim.
/// PostgreSQL: DOCKET_BENCH_POSTGRES (or DOCKET_TEST_POSTGRES) names a server; a fresh database is made.
/// </summary>
public static class QueueBench
{
    public static async Task RunAsync(string[] args)
    {
        var provider = args[0];
        var jobs = int.Parse(args[1]);
        var processes = int.Parse(args[2]);
        var slots = args.Length > 3 ? int.Parse(args[3]) : 16;
        var warmUp = args.Length > 4 ? int.Parse(args[4]) : jobs;
        var seeding = jobs + warmUp;
        var data = Directory.CreateTempSubdirectory("docket-queue-bench-").FullName;
        var connection = await PrepareDatabaseAsync(provider, data);
        try
        {
            await using (var services = Services(provider, connection, data))
            {
                services.GetRequiredService<DatabaseMigrator>().Migrate();
                var store = services.GetRequiredService<IJobStore>();
                for (var seeded = 0; seeded < seeding; seeded += 500)
                {
                    var batch = Enumerable.Range(0, Math.Min(500, seeding - seeded)).Select(_ =>
                    {
                        var id = Guid.CreateVersion7();
                        return new NewDocument(id, DataServices.DefaultUserId, "noop.txt", "txt", "text/plain", 1,
                            Convert.ToHexStringLower(id.ToByteArray()), $"documents/00/{id:N}");
                    }).ToList();
                    await store.AddDocumentsAsync(batch, CancellationToken.None);
                }
            }

            Console.Error.WriteLine($"queue {provider}: seeded {warmUp} warm-up and {jobs} measured jobs; starting {processes} worker processes");
            var childCpuBefore = ChildrenCpuSeconds();
            var self = typeof(QueueBench).Assembly.Location;
            var workers = Enumerable.Range(0, processes).Select(_ => Process.Start(new ProcessStartInfo("dotnet")
            {
                // Tiered as a docket worker is, by this program's runtimeconfig (decisions 60 and 65).
                ArgumentList = { self, "queue-worker", provider, connection, data, slots.ToString() },
            })!).ToList();
            foreach (var worker in workers) await worker.WaitForExitAsync();

            var workerCpu = ChildrenCpuSeconds() - childCpuBefore;
            var (succeeded, seconds) = await MeasureAsync(provider, connection, data, warmUp);
            if (succeeded == 0)
                throw new InvalidOperationException($"No job succeeded after the {warmUp} warm-up jobs: nothing was measured (see the workers' output above).");
            Console.WriteLine($"queue {provider}: {succeeded} no-op jobs after {warmUp} warm-up jobs, {processes} worker processes x {slots} slots: " +
                $"{succeeded / seconds:0} jobs/s ({(warmUp > 0 ? "the warm-up's last completion" : "first claim")} to last completion {seconds:0.00} s); " +
                $"worker processes' CPU {workerCpu:0.00} s, start-up included; load average {File.ReadAllText("/proc/loadavg")[..14]}");
            var variant = $"{provider}, {processes} processes" + (slots == 16 ? "" : $", {slots} slots");
            BenchResult.Print("queue", variant, new() { ["jobs_per_s"] = Math.Round(succeeded / seconds, 1) });
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            if (provider != "sqlite") await DropDatabaseAsync(connection);
        }
    }

    /// <summary>A worker process: claim, complete, until the queue stays empty.</summary>
    public static async Task WorkAsync(string[] args)
    {
        var (provider, connection, data, slots) = (args[0], args[1], args[2], int.Parse(args[3]));
        await using var services = Services(provider, connection, data);
        var store = services.GetRequiredService<IJobStore>();
        var worker = $"bench-{Environment.ProcessId}";
        var result = new ResultToStore("", "{}", null, null);
        for (var idle = 0; idle < 5;)
        {
            var claimed = await store.ClaimAsync(worker, slots, TimeSpan.FromMinutes(5), CancellationToken.None);
            if (claimed.Count == 0)
            {
                idle++;
                await Task.Delay(20);
                continue;
            }
            idle = 0;
            await Task.WhenAll(claimed.Select(job => store.CompleteAsync(job.Lease, result, CancellationToken.None)));
        }
    }

    internal static ServiceProvider Services(string provider, string connection, string data)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["Database:ConnectionString"] = connection,
            ["Docket:DataDirectory"] = data,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddDocketData();
        return services.BuildServiceProvider();
    }

    private static async Task<string> PrepareDatabaseAsync(string provider, string data)
    {
        if (provider == "sqlite") return $"Data Source={Path.Combine(data, "docket.db")}";
        var server = Environment.GetEnvironmentVariable("DOCKET_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("DOCKET_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set DOCKET_BENCH_POSTGRES to a PostgreSQL connection string (a superuser; a database is created).");
        var database = $"docket_bench_{Guid.NewGuid():N}";
        await using var admin = OpenPostgres(server);
        await ExecuteAsync(admin, $"CREATE DATABASE {database}");
        return new DbConnectionStringBuilder { ConnectionString = server }.WithDatabase(database);
    }

    /// <summary>User + system CPU of this process's finished (reaped) children, from /proc (Linux).</summary>
    private static double ChildrenCpuSeconds()
    {
        if (!File.Exists("/proc/self/stat")) return double.NaN;
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command name (which may hold spaces): state is field 3, cutime and cstime are 16 and 17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13]) + long.Parse(fields[14])) / 100.0;
    }

    private static async Task DropDatabaseAsync(string connection)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connection };
        var database = (string)builder["Database"];
        await using var admin = OpenPostgres(builder.WithDatabase("postgres"));
        // FORCE: the pools of this process may still hold connections to it.
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    private static async Task<(long Succeeded, double Seconds)> MeasureAsync(string provider, string connection, string data, int warmUp)
    {
        // SQLite stores times as Unix milliseconds.
        var seconds = provider == "sqlite" ? "({0} - {1}) / 1000.0" : "EXTRACT(EPOCH FROM {0} - {1})::float8";
        var sql = warmUp == 0
            ? $"SELECT COUNT(*), {string.Format(seconds, "MAX(finalized_at)", "MIN(attempted_at)")} FROM jobs WHERE state = 'succeeded'"
            // MATERIALIZED: computed once. Inlined, the planner (with statistics from before the run, when no job had
            // succeeded) may rescan it for every job: 30 s and a command timeout in about one run in five.
            : $"WITH warm AS MATERIALIZED (SELECT finalized_at AS done FROM jobs WHERE state = 'succeeded' ORDER BY finalized_at LIMIT 1 OFFSET {warmUp - 1}) " +
              $"SELECT COUNT(*), {string.Format(seconds, "MAX(j.finalized_at)", "MIN(w.done)")} FROM jobs j, warm w " +
              "WHERE j.state = 'succeeded' AND j.finalized_at > w.done";
        await using var services = Services(provider, connection, data);
        var db = services.GetRequiredService<Docket.Data.Model.DocketDbContext>();
        var dbConnection = db.Database.GetDbConnection();
        await dbConnection.OpenAsync();
        await using var command = dbConnection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? 0 : Convert.ToDouble(reader.GetValue(1)));
    }

    private static DbConnection OpenPostgres(string connectionString)
    {
        var type = Type.GetType("Npgsql.NpgsqlConnection, Npgsql")
            ?? throw new InvalidOperationException("Npgsql is not available in this build.");
        var connection = (DbConnection)Activator.CreateInstance(type, connectionString)!;
        connection.Open();
        return connection;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static string WithDatabase(this DbConnectionStringBuilder builder, string database)
    {
        builder["Database"] = database;
        return builder.ConnectionString;
    }
}
