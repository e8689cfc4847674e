using System.Diagnostics;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Docket.Bench;

/// <summary>
/// `make bench`: runs every registered scenario N times, each run a separate process, collects the
/// BENCH-RESULT lines it prints, and rewrites the generated part of docs/benchmarks.md.
/// </summary>
public static class Suite
{
    /// <summary>The scenarios of the benchmarks issue and their goals; one line each.</summary>
    public static readonly Scenario[] Scenarios =
    [
        new("e2e embedded 2000 16 2000", Goal.AtLeast("docs_per_s", 2000)),
        new("e2e embedded 10000 16 2000"),
        new("e2e distributed 2000 16 2000"),
        new("queue sqlite 10000 2"),
        new("queue postgres 10000 2", Goal.AtLeast("jobs_per_s", 5000)),
        new("upload 1024", Goal.Below("peak_rss_mb", 150)),
        new("pdf 100 9 invoice", Goal.AtMost("ratio", 1.15)),
        new("sse 1000"),
        new("sse 5000"),
        new("sse 10000", Goal.Below("p99_ms", 100)),
        // Not Docket: the same fan-out as bare socket sends, the floor under the line above on this machine.
        new("sse-floor 10000"),
        new("list sqlite 100000"),
        new("list postgres 100000"),
        new("list postgres 1000000", Goal.Below("*p99_ms", 50)),
        new("list sqlite 1000000"),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 3;
        string[]? only = null;
        string? write = null;
        var timeout = TimeSpan.FromMinutes(30);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i]); break;
                case "--only": only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--write": write = args[++i]; break;
                case "--timeout-minutes": timeout = TimeSpan.FromMinutes(double.Parse(args[++i])); break;
                default:
                    Console.Error.WriteLine($"suite: unknown option '{args[i]}'. Options: --runs N, --only a,b, --write FILE, --timeout-minutes M");
                    return 2;
            }
        }
        if (runs < 1) { Console.Error.WriteLine("suite: --runs must be at least 1."); return 2; }
        if (write is not null && runs < 3) { Console.Error.WriteLine("suite: the file gets medians of at least 3 runs; use --runs 3 or more."); return 2; }
        var selected = Scenarios.Where(s => only is null || only.Contains(s.Name) || only.Contains(s.Arguments)).ToList();
        var unknown = only?.Where(o => !Scenarios.Any(s => s.Name == o || s.Arguments == o)).ToList();
        if (unknown is { Count: > 0 })
        {
            Console.Error.WriteLine($"suite: no scenario named {string.Join(", ", unknown)}. Known: {string.Join(", ", Scenarios.Select(s => s.Name).Distinct())}");
            return 2;
        }

        var root = EndToEnd.FindRepoRoot();
        var commit = await GitCommitAsync(root);
        // Taken before the runs: the figures belong to the tree as it was when they started.
        var dirty = (await CommandAsync("git", "-C", root, "status", "--porcelain", "--untracked-files=no")).Length > 0;
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        var records = new List<ScenarioRecord>();
        foreach (var scenario in selected)
        {
            var scenarioLoad = LoadAverage();
            var scenarioRuns = new List<ScenarioRun>();
            for (var run = 1; run <= runs; run++)
            {
                Console.Error.WriteLine($"suite: {scenario.Arguments}, run {run} of {runs} (load {LoadAverage():0.0})");
                var result = await RunOnceAsync(scenario, timeout);
                scenarioRuns.Add(result);
                Console.Error.WriteLine($"suite: {scenario.Arguments}, run {run}: " + (result.Succeeded
                    ? $"{result.Results.Count} results in {result.Seconds:0} s"
                    : result.TimedOut ? $"timed out after {result.Seconds:0} s" : $"exit {result.ExitCode} after {result.Seconds:0} s"));
                if (result.ExitCode == ScenarioRun.UsageExitCode && result.Results.Count == 0) break; // Not there yet; once says so.
            }
            records.Add(new ScenarioRecord(scenario.Arguments, started, commit, scenarioLoad, LoadAverage(), scenarioRuns));
        }
        var loadAfter = LoadAverage();

        foreach (var record in records)
            foreach (var (variant, metrics) in BenchReport.Variants(record))
                Console.WriteLine($"{record.Arguments} | {variant} | " + string.Join(", ",
                    metrics.Select(m => $"{m.Key} {BenchReport.Format(Stats.Median(m.Value))}")));

        if (write is null) return 0;
        var path = Path.GetFullPath(write);
        var file = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Benchmarks\n";
        // A partial run (--only) keeps what an earlier run measured for the other scenarios.
        var kept = BenchReport.ReadRecords(file).Where(r => !records.Any(n => n.Arguments == r.Arguments));
        var header = new SuiteHeader(started, DateTimeOffset.UtcNow - started, commit,
            Machine(loadBefore, loadAfter), await VersionsAsync(commit, dirty));
        var content = BenchReport.Render(header, Scenarios, [.. records, .. kept]);
        await File.WriteAllTextAsync(path, BenchReport.ReplaceBetweenMarkers(file, content));
        Console.Error.WriteLine($"suite: wrote {path}");
        return 0;
    }

    private static async Task<ScenarioRun> RunOnceAsync(Scenario scenario, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var argument in scenario.Arguments.Split(' ')) start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var results = new List<ResultLine>();
        var reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                Console.Error.WriteLine(line);
                var result = ResultLine.Parse(line, out var error);
                if (result is not null) results.Add(result);
                else if (error is not null) Console.Error.WriteLine($"suite: ignored a malformed result line ({error})");
            }
        });
        using var deadline = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        await reading;
        return new ScenarioRun(process.ExitCode, timedOut, clock.Elapsed.TotalSeconds, results);
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static List<(string, string)> Machine(double loadBefore, double loadAfter)
    {
        var cpuinfo = File.ReadAllLines("/proc/cpuinfo");
        var model = cpuinfo.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var cpus = cpuinfo.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        var memoryKb = long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?[12..].Trim('"')
            : null;
        return
        [
            ("CPU", $"{cpus} x {model}"),
            ("memory", $"{memoryKb / 1024.0 / 1024:0.0} GiB"),
            ("OS", os ?? RuntimeInformation.OSDescription),
            ("kernel", File.ReadAllText("/proc/sys/kernel/osrelease").Trim()),
            ("load average (1 min)", $"{loadBefore:0.00} before the suite, {loadAfter:0.00} after"),
        ];
    }

    private static async Task<List<(string, string)>> VersionsAsync(string commit, bool dirty) =>
        [
            (".NET SDK", await CommandAsync("dotnet", "--version")),
            (".NET runtime", RuntimeInformation.FrameworkDescription),
            ("PostgreSQL server", await PostgresVersionAsync()),
            ("Redis server", await RedisVersionAsync()),
            ("SQLite library", SqliteVersion()),
            ("pdftotext", await PdftotextVersionAsync()),
            ("tree", $"{commit}{(dirty ? ", with uncommitted changes" : "")}"),
        ];

    private static async Task<string> PostgresVersionAsync()
    {
        var connection = Environment.GetEnvironmentVariable("DOCKET_BENCH_POSTGRES");
        if (string.IsNullOrEmpty(connection)) return "not configured (DOCKET_BENCH_POSTGRES)";
        try
        {
            await using var source = NpgsqlDataSource.Create(connection);
            return (string)(await source.CreateCommand("SHOW server_version").ExecuteScalarAsync())!;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return $"unreachable ({ex.Message})";
        }
    }

    /// <summary>Asks the server itself (INFO, inline protocol): the one on the path may differ from the one running.</summary>
    private static async Task<string> RedisVersionAsync()
    {
        var address = Environment.GetEnvironmentVariable("DOCKET_BENCH_REDIS");
        if (string.IsNullOrEmpty(address)) return "not configured (DOCKET_BENCH_REDIS)";
        try
        {
            var colon = address.LastIndexOf(':');
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..]), timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("INFO server\r\n"u8.ToArray(), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[4096];
            while (!reply.ToString().Contains("redis_version:") || !reply.ToString().Split("redis_version:")[1].Contains('\n'))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            var line = reply.ToString().Split('\n').FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal));
            return line?["redis_version:".Length..].Trim() ?? "unknown (no redis_version in INFO)";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or FormatException)
        {
            return $"unreachable ({ex.Message})";
        }
    }

    private static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    private static async Task<string> PdftotextVersionAsync()
    {
        try
        {
            // It prints its version on stderr.
            using var process = Process.Start(new ProcessStartInfo("pdftotext", "-v") { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return output.Split('\n').FirstOrDefault(l => l.Contains("version", StringComparison.OrdinalIgnoreCase))?.Trim() ?? "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }

    private static async Task<string> GitCommitAsync(string root)
    {
        var commit = await CommandAsync("git", "-C", root, "rev-parse", "--short=12", "HEAD");
        return commit.Length > 0 ? commit : "unknown";
    }

    private static async Task<string> CommandAsync(string file, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? output.Trim() : "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
