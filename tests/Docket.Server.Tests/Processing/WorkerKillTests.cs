using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docket.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Docket.Server.Tests.Processing;

/// <summary>Tests that start real worker processes run alone, so CPU contention cannot skew their timing.</summary>
[CollectionDefinition(nameof(WorkerProcessCollection), DisableParallelization = true)]
public sealed class WorkerProcessCollection;

/// <summary>
/// At-least-once delivery with a fencing token, end to end: a real `docket worker` process is
/// killed mid-job, its lease expires, another worker process runs the job again, and the job
/// still completes exactly once.
/// </summary>
[Collection(nameof(WorkerProcessCollection))]
public sealed class WorkerKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly List<ChildWorker> _workers = [];

    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task AWorkerKilledMidJob_LosesItsLease_AndAnotherWorkerCompletesTheJobExactlyOnce(TestDatabase database)
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Server:NoWorker"] = "true" }, database: database);
        try
        {
            var client = server.CreateAuthenticatedClient();
            await client.GetJsonAsync("/api/v1/health");
            var first = StartWorker(server);

            // ~40 MB of text takes the pipeline a couple of seconds: long enough to kill the worker mid-job.
            var (documentId, jobId) = await client.UploadOneAsync("big-report.txt", LargeText(40 * 1024 * 1024));
            var claimed = await client.WaitForJobAsync(jobId,
                job => job.Str("state") == "running" && first.Owns(job), $"running on worker pid {first.Pid}");
            first.Kill();

            var orphaned = await client.GetJsonAsync($"/api/v1/jobs/{jobId}");
            Assert.Equal("running", orphaned.Str("state"));
            Assert.Equal(1, orphaned.Int("attempt"));
            Assert.DoesNotContain(await client.JobEventsAsync(jobId), e => e.Str("event") == "job_completed");

            var second = StartWorker(server);
            var finished = await client.WaitForJobAsync(jobId,
                job => job.Str("state") is "succeeded" or "failed" or "cancelled", "an end state", TimeSpan.FromSeconds(90));

            Assert.Equal("succeeded", finished.Str("state"));
            Assert.Equal(2, finished.Int("attempt"));
            Assert.True(second.Owns(finished), $"attempted_by {finished.StrOrNull("attempted_by")} is not worker pid {second.Pid}");
            var events = await client.JobEventsAsync(jobId);
            var names = events.Select(e => e.Str("event")).ToList();
            Assert.Single(names, "job_completed");
            Assert.Equal(2, names.Count(n => n == "job_started"));
            var retrying = names.IndexOf("job_retrying");
            Assert.True(retrying >= 0 && retrying < names.IndexOf("job_completed"), string.Join(", ", names));
            Assert.Contains("lease", events[retrying].Str("message"), StringComparison.OrdinalIgnoreCase);
            Assert.Contains(claimed.Str("attempted_by"), events[retrying].Str("message"));

            var result = await client.GetJsonAsync($"/api/v1/documents/{documentId}/result");
            Assert.Equal(jobId, Assert.Single(result.GetProperty("versions").EnumerateArray()).Guid("job_id"));
            Assert.Equal("processed", (await client.GetJsonAsync($"/api/v1/documents/{documentId}/status")).Str("status"));
        }
        finally
        {
            // Stopped before the server's data folder is deleted under them.
            foreach (var worker in _workers)
            {
                worker.Dispose();
                output.WriteLine(worker.Log());
            }
        }
    }

    private ChildWorker StartWorker(DocketFactory server)
    {
        var worker = ChildWorker.Start(server.DataDirectory, server.PostgresConnectionString);
        _workers.Add(worker);
        return worker;
    }

    /// <summary>Lines of varied words, so analysis does real work (no single repeated token).</summary>
    private static byte[] LargeText(int bytes)
    {
        var random = new Random(42);
        var vocabulary = Enumerable.Range(0, 5000)
            .Select(_ => new string(Enumerable.Range(0, random.Next(3, 11)).Select(_ => (char)('a' + random.Next(26))).ToArray()))
            .ToArray();
        var text = new StringBuilder(bytes + 200);
        while (text.Length < bytes)
        {
            for (var i = 0; i < 12; i++) text.Append(vocabulary[random.Next(vocabulary.Length)]).Append(i < 11 ? ' ' : '.');
            text.Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public void Dispose()
    {
        foreach (var worker in _workers) worker.Dispose();
    }

    /// <summary>A `docket worker` process from the test's output folder, with its output captured.</summary>
    private sealed class ChildWorker : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _log = new();
        private bool _disposed;

        private ChildWorker(Process process) => _process = process;

        public int Pid { get; private set; }

        /// <param name="postgres">The server's PostgreSQL database; null: the SQLite file in the data folder.</param>
        public static ChildWorker Start(string dataDirectory, string? postgres)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "docket.dll"), "worker" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment =
                {
                    ["Docket__DataDirectory"] = dataDirectory,
                    ["Queue__Lease"] = "00:00:02",
                    ["Queue__Heartbeat"] = "00:00:00.300",
                    ["Queue__RescueInterval"] = "00:00:00.300",
                    ["Queue__PollInterval"] = "00:00:00.050",
                },
            };
            if (postgres is not null)
            {
                start.Environment["Database__Provider"] = "postgres";
                start.Environment["Database__ConnectionString"] = postgres;
            }
            var process = new Process { StartInfo = start };
            var worker = new ChildWorker(process);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker._log.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker._log.Enqueue("stderr: " + e.Data); };
            process.Start();
            worker.Pid = process.Id;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        /// <summary>Worker ids are "machine:pid:suffix".</summary>
        public bool Owns(JsonElement job) => job.StrOrNull("attempted_by")?.Contains($":{Pid}:", StringComparison.Ordinal) == true;

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public string Log() => $"--- worker pid {Pid} ---\n{string.Join('\n', _log)}";

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                if (!_process.HasExited) Kill();
            }
            catch (InvalidOperationException)
            {
                // Never started, or already gone.
            }
            _process.Dispose();
        }
    }
}
