using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Docket.Bench;

/// <summary>
/// End to end: N small text documents uploaded over HTTP by C concurrent clients, until every one
/// is processed. Embedded: one `docket serve` on a fresh data folder (worker in the process).
/// Distributed: PostgreSQL (DOCKET_BENCH_POSTGRES, a fresh database) and Redis (DOCKET_BENCH_REDIS),
/// `docket serve --no-worker` and two `docket worker` processes.
/// Warm-up batches run first and are not counted: a server is measured as it runs, not as it starts. The
/// runtime goes on compiling the hot path (tiered JIT) for seconds after the first thousands of requests, so
/// batches of the warm-up size run until the server's CPU per document settles (two batches in a row within
/// 10 %), at most <see cref="MaxWarmUpBatches"/>.
/// When each job finished is read from the jobs table afterwards, so watching for the end costs the
/// server nothing and its granularity does not matter; latency is that moment minus the moment the
/// client had the upload's answer (one machine, one clock).
/// </summary>
public static class EndToEnd
{
    public static async Task RunAsync(string[] args)
    {
        var mode = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "embedded";
        var numbers = args.SkipWhile(a => !char.IsDigit(a[0])).Select(int.Parse).ToArray();
        var count = numbers.Length > 0 ? numbers[0] : 2000;
        var clients = numbers.Length > 1 ? numbers[1] : 16;
        var warmUp = numbers.Length > 2 ? numbers[2] : 500;
        if (mode is not ("embedded" or "distributed" or "drain"))
            throw new ArgumentException($"Unknown mode '{mode}': embedded, distributed or drain.");

        var serverDll = BenchServer.ServerDll;
        var data = Directory.CreateTempSubdirectory("docket-bench-").FullName;
        var port = FreePort();
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        var environment = BenchServer.AdminSettings(password);
        string? database = null;
        string? adminConnection = null;
        if (mode == "distributed")
        {
            adminConnection = Environment.GetEnvironmentVariable("DOCKET_BENCH_POSTGRES")
                ?? Environment.GetEnvironmentVariable("DOCKET_TEST_POSTGRES")
                ?? throw new InvalidOperationException("Distributed mode needs DOCKET_BENCH_POSTGRES (a superuser's connection string).");
            var redis = Environment.GetEnvironmentVariable("DOCKET_BENCH_REDIS") ?? Environment.GetEnvironmentVariable("DOCKET_TEST_REDIS")
                ?? throw new InvalidOperationException("Distributed mode needs DOCKET_BENCH_REDIS (host:port).");
            database = $"docket_bench_{Guid.NewGuid():N}";
            await ExecutePostgresAsync(adminConnection, $"CREATE DATABASE {database}");
            environment["Database__Provider"] = "postgres";
            environment["Database__ConnectionString"] = new NpgsqlConnectionStringBuilder(adminConnection) { Database = database }.ConnectionString;
            environment["Bus__Provider"] = "redis";
            environment["Bus__Redis"] = redis;
        }

        var processes = new List<Process>();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/api/v1/"),
        };
        try
        {
            processes.Add(BenchServer.StartDocket($"serve --urls http://127.0.0.1:{port}" + (mode == "embedded" ? "" : " --no-worker"), data, environment, serverDll));
            await WaitReadyAsync(http, processes[0]);
            await SignInAsync(http, password);
            if (mode == "distributed")
                for (var w = 0; w < 2; w++) processes.Add(BenchServer.StartDocket("worker", data, environment, serverDll));

            var warmedUp = 0;
            if (mode != "drain" && warmUp > 0)
            {
                double? previous = null;
                for (var batch = 1; batch <= MaxWarmUpBatches; batch++)
                {
                    var cpuBeforeBatch = processes.Sum(CpuMilliseconds);
                    var warm = await UploadAsync(http, Bodies(warmUp, seed: 1_000_000 * batch), clients);
                    warmedUp += warmUp;
                    await WaitProcessedAsync(http, warmedUp);
                    var cpuPerDocument = (processes.Sum(CpuMilliseconds) - cpuBeforeBatch) / (double)warmUp;
                    Console.Error.WriteLine($"warm-up {batch}: {warmUp} documents in {warm.Elapsed.TotalSeconds:0.00} s of uploads, " +
                        $"server CPU {cpuPerDocument:0.00} ms per document");
                    if (previous is { } before && Math.Abs(cpuPerDocument - before) <= 0.1 * before) break;
                    previous = cpuPerDocument;
                }
            }

            var bodies = Bodies(count, seed: 0);
            var cpuBefore = processes.Sum(CpuMilliseconds);
            var clientCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var run = await UploadAsync(http, bodies, clients);
            // Drain mode splits the cost: the server's CPU while it only took uploads, then the worker's.
            var uploadCpuMs = processes.Sum(CpuMilliseconds) - cpuBefore;
            if (mode == "drain")
                processes.Add(BenchServer.StartDocket("worker", data, environment, serverDll));
            await WaitProcessedAsync(http, warmedUp + count);
            var cpuMs = processes.Sum(CpuMilliseconds) - cpuBefore;
            // The bench's own clients share the two cores: what they cost is CPU the server did not have.
            var clientCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - clientCpuBefore).TotalMilliseconds;
            var rssMb = processes.Sum(p => Status(p, "VmHWM:")) / 1024.0;

            var finished = await FinishedAtAsync(environment, data, run.DocumentIds);
            var failed = finished.Count(f => !f.Value.Succeeded);
            var last = finished.Values.Max(f => f.At);
            var seconds = (last - run.StartedAt) / 1000.0;
            var latencies = run.DocumentIds.Select((id, i) => (double)(finished[id].At - run.AnsweredAt[i])).Order().ToArray();
            var uploadSeconds = run.Elapsed.TotalSeconds;

            Console.WriteLine($"{mode}: {count} documents, {clients} clients: uploads {count / uploadSeconds:0}/s, " +
                $"processed {count / seconds:0}/s; latency p50 {Percentile(latencies, 50):0} ms, p95 {Percentile(latencies, 95):0} ms, " +
                $"p99 {Percentile(latencies, 99):0} ms; server CPU {cpuMs / (double)count:0.00} ms per document" +
                (failed > 0 ? $"; {failed} failed" : ""));
            BenchResult.Print("e2e", $"{mode}, {count} documents, {clients} clients", new Dictionary<string, double>
            {
                ["docs_per_s"] = count / seconds,
                ["uploads_per_s"] = count / uploadSeconds,
                ["latency_p50_ms"] = Percentile(latencies, 50),
                ["latency_p95_ms"] = Percentile(latencies, 95),
                ["latency_p99_ms"] = Percentile(latencies, 99),
                ["server_cpu_ms_per_doc"] = cpuMs / (double)count,
                ["server_peak_rss_mb"] = rssMb,
                ["client_cpu_ms_per_doc"] = clientCpuMs / count,
                ["failed"] = failed,
                ["warm_up_docs"] = warmedUp,
            }.Concat(mode == "drain"
                ? new Dictionary<string, double>
                {
                    ["upload_cpu_ms_per_doc"] = uploadCpuMs / (double)count,
                    ["worker_cpu_ms_per_doc"] = (cpuMs - uploadCpuMs) / (double)count,
                    ["worker_docs_per_s"] = count * 1000.0 / Math.Max(1, last - finished.Values.Min(f => f.At)),
                }
                : []).ToDictionary());
        }
        finally
        {
            foreach (var process in processes)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync();
            }
            Directory.Delete(data, recursive: true);
            if (database is not null) await ExecutePostgresAsync(adminConnection!, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    private const int MaxWarmUpBatches = 6;

    private sealed record UploadRun(long StartedAt, long[] AnsweredAt, Guid[] DocumentIds, TimeSpan Elapsed);

    private static async Task<UploadRun> UploadAsync(HttpClient http, byte[][] bodies, int clients)
    {
        var next = -1;
        var answeredAt = new long[bodies.Length];
        var ids = new Guid[bodies.Length];
        var startedAt = NowMs();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                using var form = new MultipartFormDataContent();
                var file = new ByteArrayContent(bodies[i]);
                file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                form.Add(file, "files", $"doc-{i}.txt");
                using var response = await http.PostAsync("documents", form);
                var body = await response.Content.ReadAsStringAsync();
                answeredAt[i] = NowMs();
                if (response.StatusCode != HttpStatusCode.Created)
                    throw new InvalidOperationException($"Upload {i}: {(int)response.StatusCode} {body}");
                using var json = JsonDocument.Parse(body);
                ids[i] = json.RootElement.GetProperty("documents")[0].GetProperty("id").GetGuid();
            }
        }));
        return new UploadRun(startedAt, answeredAt, ids, clock.Elapsed);
    }

    /// <summary>Distinct ~600-byte English text documents (distinct, so none is a duplicate of another).</summary>
    private static byte[][] Bodies(int count, int seed)
    {
        var words = "invoice report total amount vendor payment contract memo review summary quarter revenue".Split(' ');
        return Enumerable.Range(seed, count).Select(i =>
        {
            var random = new Random(i);
            var text = new StringBuilder($"Document {i}\n");
            for (var w = 0; w < 80; w++) text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ".\n" : " ");
            return Encoding.UTF8.GetBytes(text.ToString());
        }).ToArray();
    }

    /// <summary>Polls the counts four times a second; the figures come from the jobs table, not from this.</summary>
    private static async Task WaitProcessedAsync(HttpClient http, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var stats = JsonDocument.Parse(await http.GetStringAsync("admin/stats"));
            var byStatus = stats.RootElement.GetProperty("documents_by_status");
            var done = byStatus.GetProperty("processed").GetInt32() + byStatus.GetProperty("failed").GetInt32();
            if (done >= expected) return;
            if (deadline.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{done} of {expected} documents processed after 10 minutes.");
            await Task.Delay(250);
        }
    }

    private static async Task<Dictionary<Guid, (long At, bool Succeeded)>> FinishedAtAsync(
        Dictionary<string, string> environment, string data, Guid[] documentIds)
    {
        var wanted = documentIds.ToHashSet();
        var finished = new Dictionary<Guid, (long, bool)>();
        if (environment.TryGetValue("Database__ConnectionString", out var postgres))
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT document_id, (extract(epoch FROM finalized_at) * 1000)::bigint, state = 'succeeded' FROM jobs WHERE finalized_at IS NOT NULL",
                connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                if (wanted.Contains(reader.GetGuid(0))) finished[reader.GetGuid(0)] = (reader.GetInt64(1), reader.GetBoolean(2));
        }
        else
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "docket.db")};Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT document_id, finalized_at, state = 'succeeded' FROM jobs WHERE finalized_at IS NOT NULL";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = Guid.Parse(reader.GetString(0));
                if (wanted.Contains(id)) finished[id] = (reader.GetInt64(1), reader.GetInt64(2) != 0);
            }
        }
        var missing = wanted.Count(id => !finished.ContainsKey(id));
        if (missing > 0) throw new InvalidOperationException($"{missing} documents have no finished job.");
        return finished;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server)
    {
        for (var i = 0; i < 300; i++)
        {
            if (server.HasExited) throw new InvalidOperationException($"The server exited with {server.ExitCode} before it was ready.");
            try
            {
                if ((await http.GetAsync("health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not become ready in 30 s.");
    }

    private static async Task SignInAsync(HttpClient http, string password)
    {
        using var login = await http.PostAsync("auth/login",
            new StringContent(JsonSerializer.Serialize(new { email = BenchServer.Email, password }), Encoding.UTF8, "application/json"));
        var body = await login.Content.ReadAsStringAsync();
        if (!login.IsSuccessStatusCode) throw new InvalidOperationException($"Sign-in failed: {(int)login.StatusCode} {body}");
        using var tokens = JsonDocument.Parse(body);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("access_token").GetString());
    }

    private static async Task ExecutePostgresAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>User + system CPU of the process so far, from /proc (the dotnet host is the process itself).</summary>
    internal static long CpuMilliseconds(Process process)
    {
        var stat = File.ReadAllText($"/proc/{process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return ticks * 1000 / 100;
    }

    /// <summary>A kB figure from /proc/PID/status (VmRSS:, VmHWM:).</summary>
    internal static long Status(Process process, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        return 0;
    }

    internal static double Percentile(double[] sorted, double percent) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Docket.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("Docket.slnx not found above the bench.");
    }
}

/// <summary>The line the `make bench` suite reads: one per measured variant.</summary>
internal static class BenchResult
{
    public static void Print(string scenario, string variant, Dictionary<string, double> metrics) =>
        Console.WriteLine("BENCH-RESULT " + JsonSerializer.Serialize(new { scenario, variant, metrics }));
}
