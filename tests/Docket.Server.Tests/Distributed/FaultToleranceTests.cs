using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Docket.Server.Tests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Docket.Server.Tests.Distributed;

/// <summary>Tests that run a whole distributed deployment as real processes run alone: they own the machine's CPU.</summary>
[CollectionDefinition(nameof(DistributedCollection), DisableParallelization = true)]
public sealed class DistributedCollection;

/// <summary>
/// The distributed deployment under faults, as real processes: one API node (`serve --no-worker`)
/// and three `docket worker` processes on a PostgreSQL cluster and a Redis server of the test's
/// own. While 500 documents are processed, a random worker is killed with SIGKILL every ~2 s (and
/// replaced), Redis is killed and started again once, and PostgreSQL is stopped the hard way and
/// started again once. Every document must still end processed exactly once, nothing may be
/// stuck, SSE clients must still see the end of their job, and while the database is down the
/// API answers 503 in the error envelope and recovers by itself.
/// </summary>
[Collection(nameof(DistributedCollection))]
public sealed class FaultToleranceTests(ITestOutputHelper output)
{
    private const int DocumentCount = 500;
    private const string AdminEmail = "chaos@test.docket";
    private const string AdminPassword = "a long enough password for the chaos test";
    private const int SseClients = 20;
    private const int UploadClients = 4;
    private static readonly TimeSpan ProcessingDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task FiveHundredDocuments_SurviveKilledWorkers_ARedisRestart_AndAPostgresRestart()
    {
        var root = Path.Combine(Path.GetTempPath(), "docket-faults-" + Guid.NewGuid().ToString("N")[..12]);
        var logs = Path.Combine(root, "logs");
        Directory.CreateDirectory(logs);
        var children = new List<DocketProcess>();
        var workers = new List<DocketProcess>();
        PostgresCluster? postgres = null;
        RedisServer? redis = null;
        using var stop = new CancellationTokenSource();
        using var sseStop = new CancellationTokenSource();
        Task? killer = null;
        var clock = Stopwatch.StartNew();
        var timeline = new ConcurrentQueue<string>();
        void Note(string what)
        {
            timeline.Enqueue($"{clock.Elapsed.TotalSeconds,6:F1}s {DateTime.UtcNow:HH:mm:ss.fff} {what}");
        }

        string Diagnostics()
        {
            var text = new StringBuilder("\n=== timeline ===\n").AppendJoin('\n', timeline).Append('\n');
            List<DocketProcess> snapshot;
            lock (children) snapshot = [.. children];
            var api = snapshot.FirstOrDefault();
            if (api is not null) text.Append(Ports.Tail(api.LogFile)).Append('\n');
            foreach (var worker in snapshot.Skip(1).TakeLast(4)) text.Append(Ports.Tail(worker.LogFile, 25)).Append('\n');
            if (postgres is not null) text.Append(Ports.Tail(postgres.LogFile, 15));
            return text.ToString();
        }

        try
        {
            postgres = await PostgresCluster.CreateAsync(Path.Combine(root, "pg"));
            redis = await RedisServer.StartNewAsync();
            await using (var admin = new NpgsqlConnection(postgres.ConnectionString("postgres")))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand("CREATE DATABASE docket", admin);
                await create.ExecuteNonQueryAsync();
            }
            var database = postgres.ConnectionString("docket");
            Note($"postgres on {postgres.Port}, redis on {redis.Port}");

            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            var environment = new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Database__Provider"] = "postgres",
                ["Database__ConnectionString"] = database,
                ["Bus__Provider"] = "redis",
                ["Bus__Redis"] = $"127.0.0.1:{redis.Port},connectTimeout=1000,commandTimeout=2000",
                ["Storage__Root"] = Path.Combine(data, "files"),
                ["Docket__DataDirectory"] = data,
                ["Queue__Lease"] = "00:00:02",
                ["Queue__Heartbeat"] = "00:00:00.400",
                ["Queue__RescueInterval"] = "00:00:00.300",
                ["Queue__PollInterval"] = "00:00:00.100",
                ["Queue__RetryBaseDelay"] = "00:00:00.200",
                ["Queue__RetryMaxDelay"] = "00:00:01",
                // A job whose worker is killed loses an attempt; with a kill every 2 s a job may be
                // hit more than the default 3 times, which is the product working as designed.
                ["Queue__MaxAttempts"] = "20",
                // The first admin, made by the API node on its first start; the test signs in as it.
                ["Auth__Admin__Email"] = AdminEmail,
                ["Auth__Admin__Password"] = AdminPassword,
                // Four upload clients and twenty streams from one address and one account, on purpose.
                ["RateLimits__PerIpBurst"] = "1000000",
                ["RateLimits__PerIpPerSecond"] = "1000000",
                ["RateLimits__PerUserBurst"] = "1000000",
                ["RateLimits__PerUserPerSecond"] = "1000000",
                ["RateLimits__UploadFileBurst"] = "1000000",
                ["RateLimits__UploadFilesPerSecond"] = "1000000",
                ["Logging__LogLevel__Default"] = "Information",
                ["Logging__LogLevel__Microsoft"] = "Warning",
                ["Logging__LogLevel__System.Net.Http"] = "Warning",
            };

            var apiPort = Ports.Free();
            var api = DocketProcess.Start(Path.Combine(logs, "api.log"), environment,
                "serve", "--no-worker", "--urls", $"http://127.0.0.1:{apiPort}");
            lock (children) children.Add(api);
            var workerNumber = 0;
            DocketProcess StartWorker()
            {
                var worker = DocketProcess.Start(Path.Combine(logs, $"worker-{++workerNumber:D3}.log"), environment, "worker");
                lock (children) children.Add(worker);
                return worker;
            }

            using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"),
                Timeout = TimeSpan.FromSeconds(20),
            };
            await WaitForApiAsync(http, TimeSpan.FromSeconds(60), () => api.HasExited);
            using (var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = AdminEmail, password = AdminPassword }))
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                    (await login.ReadJsonAsync(HttpStatusCode.OK)).Str("access_token"));
            Note("API is up");
            // 500 distinct documents over HTTP by a few clients, before any worker runs: the queue
            // is full when the chaos starts, so the restarts below surely hit documents mid-flight.
            // The database and Redis stay up until every upload was accepted, so an upload cannot
            // be retried after it committed, and the document count below is exact.
            var names = Enumerable.Range(0, DocumentCount).Select(i => $"doc-{i:D4}.txt").ToArray();
            var uploaded = new ConcurrentDictionary<string, (Guid DocumentId, Guid JobId)>();
            var sse = new ConcurrentDictionary<Guid, SseClient>();
            var sseFrom = DocumentCount - SseClients;
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, UploadClients).Select(_ => Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < DocumentCount)
                {
                    var ids = await UploadAsync(http, names[index], DocumentText(index));
                    uploaded[names[index]] = ids;
                    // The last documents uploaded are processed last: their streams live through the restarts.
                    if (index >= sseFrom) sse[ids.DocumentId] = SseClient.Start(http.BaseAddress!, http.DefaultRequestHeaders.Authorization!, ids.DocumentId, ids.JobId, sseStop.Token);
                }
            })));
            Assert.Equal(DocumentCount, uploaded.Count);
            Note($"all {DocumentCount} uploads accepted");

            lock (workers)
                for (var i = 0; i < 3; i++) workers.Add(StartWorker());

            // Chaos 1, from the start to the end of processing: a random worker is killed every ~2 s and replaced.
            var kills = 0;
            killer = Task.Run(async () =>
            {
                var random = new Random(7);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(1600 + random.Next(800)), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    DocketProcess victim;
                    lock (workers)
                    {
                        victim = workers[random.Next(workers.Count)];
                        workers.Remove(victim);
                    }
                    victim.Kill();
                    Interlocked.Increment(ref kills);
                    Note($"killed worker pid {victim.Pid}");
                    var replacement = StartWorker();
                    lock (workers) workers.Add(replacement);
                }
            });

            // Chaos 2: Redis is killed and started again while documents are being processed.
            await WaitForProcessedAsync(database, DocumentCount / 5, Diagnostics);
            var before = await CountProcessedAsync(database);
            Assert.True(before < DocumentCount, $"Everything was processed before Redis was restarted: slow the work down.{Diagnostics()}");
            await redis.KillAsync();
            Note($"redis killed at {before} processed");
            await Task.Delay(1000);
            await redis.StartAsync();
            Note("redis started again");

            // Chaos 3: PostgreSQL is stopped the hard way while documents are being processed; the
            // API answers 503 in the error envelope meanwhile, and recovers by itself afterwards.
            await WaitForProcessedAsync(database, before + DocumentCount / 5, Diagnostics);
            before = await CountProcessedAsync(database);
            Assert.True(before < DocumentCount, $"Everything was processed before PostgreSQL was restarted: slow the work down.{Diagnostics()}");
            await postgres.StopImmediatelyAsync();
            NpgsqlConnection.ClearAllPools();
            Note($"postgres stopped at {before} processed");
            var outage = Stopwatch.StartNew();
            var unavailable = 0;
            while (outage.Elapsed < TimeSpan.FromSeconds(3) || unavailable < 2)
            {
                Assert.True(outage.Elapsed < TimeSpan.FromSeconds(30), $"No 503 while PostgreSQL was down.{Diagnostics()}");
                using var response = await http.GetAsync("/api/v1/documents");
                Note($"GET /api/v1/documents while postgres is down: {(int)response.StatusCode}");
                var error = await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.False(string.IsNullOrEmpty(error.Str("request_id")));
                unavailable++;
                await Task.Delay(300);
            }
            await postgres.StartAsync();
            Note("postgres started again");
            var recovery = Stopwatch.StartNew();
            while (true)
            {
                using var response = await TryGetAsync(http, "/api/v1/documents");
                if (response?.StatusCode == HttpStatusCode.OK) break;
                Assert.True(recovery.Elapsed < TimeSpan.FromSeconds(30),
                    $"The API did not recover within 30 s of PostgreSQL coming back; last answer {(int?)response?.StatusCode}.{Diagnostics()}");
                await Task.Delay(100);
            }
            Note($"API answers 200 again after {recovery.Elapsed.TotalSeconds:F1} s");

            // Every document gets processed, with workers still being killed.
            await WaitForProcessedAsync(database, DocumentCount, Diagnostics);
            Note($"all processed; {kills} workers killed");
            // Only the test kills workers: none may have died of the outages by itself.
            Assert.False(api.HasExited, $"The API process exited by itself.{Diagnostics()}");
            lock (workers)
                Assert.True(workers.All(w => !w.HasExited),
                    $"Worker {string.Join(", ", workers.Where(w => w.HasExited).Select(w => w.Pid))} exited by itself.{Diagnostics()}");
            await stop.CancelAsync();
            await killer;

            await AssertExactlyOnceAsync(database, names, Diagnostics);

            // SSE clients behaved as EventSource does and must all have seen their job's end.
            // job_completed of every job is in the table by now: a stream delivers it live or by replay within moments.
            var streams = Task.WhenAll(sse.Values.Select(c => c.Completion));
            await Task.WhenAny(streams, Task.Delay(TimeSpan.FromSeconds(30)));
            await sseStop.CancelAsync();
            await streams;
            Assert.Equal(SseClients, sse.Count);
            foreach (var client in sse.Values)
            {
                Assert.True(client.SawCompletion,
                    $"SSE client of document {client.DocumentId} never saw job_completed of job {client.JobId} within 30 s of the end: "
                    + $"{client.Trace}\n--- its events in the database ---\n{await EventsAsync(database, client.DocumentId)}{Diagnostics()}");
            }
            var reconnects = sse.Values.Sum(c => c.Connections - 1);
            Assert.True(sse.Values.All(c => c.Connections > 1), "Every SSE client resumes at least once.");
            Note($"SSE: {sse.Count} clients, {reconnects} reconnects");
            output.WriteLine(string.Join('\n', timeline));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException || !ex.Message.Contains("=== timeline ===", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"{ex}\n{Diagnostics()}");
        }
        finally
        {
            await stop.CancelAsync();
            await sseStop.CancelAsync();
            if (killer is not null) await killer.ContinueWith(_ => { }, TaskScheduler.Default);
            lock (children)
                foreach (var child in children) child.Dispose();
            if (redis is not null) await redis.DisposeAsync();
            if (postgres is not null) await postgres.DisposeAsync();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.WriteLine($"Could not delete {root}: {ex.Message}");
            }
        }
    }

    /// <summary>The facts straight from the database: every document processed once, one current result, nothing stuck.</summary>
    private static async Task AssertExactlyOnceAsync(string database, string[] names, Func<string> diagnostics)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT d.filename, d.status,
                   (SELECT count(*) FROM jobs j WHERE j.document_id = d.id AND j.state = 'succeeded') AS succeeded,
                   (SELECT count(*) FROM document_results r WHERE r.document_id = d.id) AS results,
                   (SELECT count(*) FROM document_results r WHERE r.document_id = d.id AND r.id = d.current_result_id) AS current
            FROM documents d
            """, connection);
        var rows = new List<(string Name, string Status, long Succeeded, long Results, long Current)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));

        Assert.True(rows.Count == names.Length, $"{rows.Count} documents in the database, expected {names.Length}.{diagnostics()}");
        Assert.Equal(names.Order(StringComparer.Ordinal), rows.Select(r => r.Name).Order(StringComparer.Ordinal));
        var wrong = rows.Where(r => r.Status != "processed" || r.Succeeded != 1 || r.Results != 1 || r.Current != 1).ToList();
        Assert.True(wrong.Count == 0,
            $"{wrong.Count} documents are not processed exactly once with one current result: "
            + string.Join("; ", wrong.Take(10).Select(r => $"{r.Name} status={r.Status} succeeded={r.Succeeded} results={r.Results} current={r.Current}"))
            + diagnostics());

        await using var stuck = new NpgsqlCommand("SELECT state, count(*) FROM jobs WHERE state IN ('queued', 'running') GROUP BY state", connection);
        var open = new List<string>();
        await using (var reader = await stuck.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                open.Add($"{reader.GetString(0)}: {reader.GetInt64(1)}");
        Assert.True(open.Count == 0, $"Jobs still open after every document was processed: {string.Join(", ", open)}{diagnostics()}");
    }

    private static async Task<string> EventsAsync(string database, Guid documentId)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, job_id, event, created_at FROM job_events WHERE document_id = @document ORDER BY id", connection);
        command.Parameters.AddWithValue("document", documentId);
        var lines = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            lines.Append(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)} {reader.GetGuid(1)} {reader.GetString(2)} {reader.GetDateTime(3):HH:mm:ss.fff}\n");
        return lines.ToString();
    }

    private static async Task<long> CountProcessedAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM documents WHERE status = 'processed'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitForProcessedAsync(string database, long atLeast, Func<string> diagnostics)
    {
        var clock = Stopwatch.StartNew();
        var seen = -1L;
        while (true)
        {
            try
            {
                seen = await CountProcessedAsync(database);
                if (seen >= atLeast) return;
            }
            catch (NpgsqlException)
            {
                // The database is coming back; ask again.
            }
            Assert.True(clock.Elapsed < ProcessingDeadline,
                $"Only {seen} of {DocumentCount} documents processed after {ProcessingDeadline.TotalSeconds} s (waiting for {atLeast}).{diagnostics()}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForApiAsync(HttpClient http, TimeSpan deadline, Func<bool> exited)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await TryGetAsync(http, "/api/v1/health");
            if (response?.StatusCode == HttpStatusCode.OK) return;
            if (exited()) throw new InvalidOperationException("The API process exited during startup.");
            if (clock.Elapsed > deadline) throw new TimeoutException($"The API did not answer within {deadline.TotalSeconds} s.");
            await Task.Delay(100);
        }
    }

    private static async Task<HttpResponseMessage?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return await http.GetAsync(path);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Uploads one file; a 503 or a connection error is retried, anything else fails the test.</summary>
    private static async Task<(Guid DocumentId, Guid JobId)> UploadAsync(HttpClient http, string name, byte[] content)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.PostAsync("/api/v1/documents", ApiClient.Files((name, content)));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 20)
                {
                    await Task.Delay(200);
                    continue;
                }
                var body = await response.ReadJsonAsync(HttpStatusCode.Created);
                var document = Assert.Single(body.GetProperty("documents").EnumerateArray());
                return (document.Guid("id"), document.Guid("job_id"));
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>Distinct text per document (no duplicate detection kicks in), big enough that processing takes a while.</summary>
    private static byte[] DocumentText(int index)
    {
        var random = new Random(index);
        var text = new StringBuilder(DocumentBytes + 200);
        text.Append("Memo number ").Append(index.ToString(CultureInfo.InvariantCulture)).Append("\n\n");
        while (text.Length < DocumentBytes)
        {
            for (var i = 0; i < 12; i++)
                text.Append(Vocabulary[random.Next(Vocabulary.Length)]).Append(i < 11 ? ' ' : '.');
            text.Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private const int DocumentBytes = 32 * 1024;

    private static readonly string[] Vocabulary = MakeVocabulary();

    private static string[] MakeVocabulary()
    {
        var random = new Random(42);
        return Enumerable.Range(0, 3000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(3, 11)).Select(_ => (char)('a' + random.Next(26))).ToArray()))
            .ToArray();
    }

    /// <summary>
    /// A client of GET /documents/{id}/stream that behaves like EventSource: on a dropped connection
    /// or an error answer it reconnects with Last-Event-ID of the last event it saw, until it sees
    /// the job's job_completed (or its deadline passes). The first connection resumes from 0, so
    /// events from before it connected come by replay; it drops its first connection after the
    /// first event, so every client resumes with Last-Event-ID at least once.
    /// </summary>
    private sealed class SseClient
    {
        private readonly StringBuilder _trace = new();
        private bool _dropped;

        private SseClient(Guid documentId, Guid jobId)
        {
            DocumentId = documentId;
            JobId = jobId;
        }

        public Guid DocumentId { get; }

        public Guid JobId { get; }

        public bool SawCompletion { get; private set; }

        public int Connections { get; private set; }

        public Task Completion { get; private set; } = Task.CompletedTask;

        public string Trace
        {
            get
            {
                lock (_trace) return _trace.ToString();
            }
        }

        public static SseClient Start(Uri baseAddress, AuthenticationHeaderValue authorization, Guid documentId, Guid jobId, CancellationToken stop)
        {
            var client = new SseClient(documentId, jobId);
            client.Completion = Task.Run(() => client.RunAsync(baseAddress, authorization, stop), CancellationToken.None);
            return client;
        }

        private void Log(string line)
        {
            lock (_trace) _trace.Append('\n').Append(DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ').Append(line);
        }

        private async Task RunAsync(Uri baseAddress, AuthenticationHeaderValue authorization, CancellationToken stop)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
            deadline.CancelAfter(ProcessingDeadline + TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Authorization = authorization;
            long lastEventId = 0;
            while (!SawCompletion && !deadline.IsCancellationRequested)
            {
                Connections++;
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/documents/{DocumentId}/stream");
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                    request.Headers.Add("Last-Event-ID", lastEventId.ToString(CultureInfo.InvariantCulture));
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Log($"connection {Connections}: {(int)response.StatusCode}");
                        await Task.Delay(200, deadline.Token);
                        continue;
                    }
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token), Encoding.UTF8);
                    string? id = null;
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(deadline.Token) is { } line)
                    {
                        if (line.Length > 0)
                        {
                            if (line.StartsWith("id:", StringComparison.Ordinal)) id = line[3..].Trim();
                            else if (line.StartsWith("data:", StringComparison.Ordinal)) data.Append(line[5..].TrimStart());
                            continue;
                        }
                        if (id is not null && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId))
                        {
                            lastEventId = eventId;
                            using var json = JsonDocument.Parse(data.ToString());
                            var name = json.RootElement.GetProperty("event").GetString();
                            var job = json.RootElement.GetProperty("job_id").GetGuid();
                            if (name is "job_completed" or "job_failed" or "job_cancelled") Log($"event {eventId}: {name} of job {job}");
                            if (name == "job_completed" && job == JobId) SawCompletion = true;
                            if (!_dropped && !SawCompletion)
                            {
                                // A network blip: the rest must come by replay after Last-Event-ID.
                                _dropped = true;
                                Log($"connection {Connections}: dropped by the client after event {eventId}");
                                break;
                            }
                        }
                        id = null;
                        data.Clear();
                    }
                    Log($"connection {Connections}: ended after event {lastEventId}");
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
                {
                    Log($"connection {Connections}: {ex.GetType().Name}: {ex.Message}");
                }
                if (!SawCompletion)
                {
                    try
                    {
                        await Task.Delay(200, deadline.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
    }
}
