using Docket.Server.Features.Accounts;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Docket.Data;
using Docket.Data.Maintenance;
using Docket.Data.Model;
using Docket.Server.Processing.Maintenance;
using Docket.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Docket.Server.Tests.Processing;

public sealed class MaintenanceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan RunTime = TimeSpan.FromMilliseconds(120);

    /// <summary>
    /// Two nodes (two service providers, each with its own connections: on PostgreSQL its own sessions, so
    /// advisory locks really compete; on SQLite two writers on one file) schedule the same task for a few
    /// seconds. Never do two runs overlap, and runs start at least one interval apart.
    /// </summary>
    [Theory]
    [InlineData(TestDatabase.Sqlite)]
    [InlineData(TestDatabase.Postgres)]
    public async Task TwoNodes_NeverRunATaskTwice(TestDatabase database)
    {
        var folder = Path.Combine(Path.GetTempPath(), "docket-maintenance-tests", Guid.NewGuid().ToString("N"));
        await using var postgres = database == TestDatabase.Postgres ? PostgresTestDatabase.Create() : null;
        var settings = new Dictionary<string, string?> { ["Docket:DataDirectory"] = folder };
        if (postgres is not null)
        {
            settings["Database:Provider"] = "postgres";
            settings["Database:ConnectionString"] = postgres.ConnectionString;
        }
        var runs = new ConcurrentQueue<(string Node, long Start, long End)>();
        var running = 0;
        var overlaps = 0;
        await using var first = Node(settings);
        await using var second = Node(settings);
        first.GetRequiredService<DatabaseMigrator>().Migrate();

        var schedulers = new[] { Scheduler(first, "a"), Scheduler(second, "b") };
        foreach (var scheduler in schedulers) await scheduler.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(4));
        foreach (var scheduler in schedulers) await scheduler.StopAsync(CancellationToken.None);

        Assert.Equal(0, overlaps);
        var ordered = runs.OrderBy(r => r.Start).ToList();
        Assert.InRange(ordered.Count, 8, 14);
        // The guarantee is on the claims (one per interval); a run starts once its claim has committed, which on a
        // busy machine may take a few tens of milliseconds longer for one run than for the next.
        for (var i = 1; i < ordered.Count; i++)
            Assert.True(Stopwatch.GetElapsedTime(ordered[i - 1].Start, ordered[i].Start) >= Interval - TimeSpan.FromMilliseconds(100),
                $"runs {i - 1} and {i} started {Stopwatch.GetElapsedTime(ordered[i - 1].Start, ordered[i].Start).TotalMilliseconds} ms apart");

        MaintenanceScheduler Scheduler(ServiceProvider node, string name) => new(
            [new RecordingTask(name, async () =>
            {
                if (Interlocked.Increment(ref running) > 1) Interlocked.Increment(ref overlaps);
                var start = Stopwatch.GetTimestamp();
                await Task.Delay(RunTime);
                Interlocked.Decrement(ref running);
                runs.Enqueue((name, start, Stopwatch.GetTimestamp()));
            })],
            node.GetRequiredService<IMaintenanceClaims>(),
            Options.Create(new MaintenanceOptions()),
            NullLogger<MaintenanceScheduler>.Instance);
    }

    [Fact]
    public async Task EventRetention_ReadsOnlyTheEventsStampedBeforeTheCutoff_NotEveryEvent()
    {
        // It runs hourly inside a DELETE: on SQLite, walking millions of events there holds every other write.
        await using var factory = new DocketFactory();
        var client = factory.CreateAuthenticatedClient();
        var (_, jobId) = await client.ProcessedTextAsync("kept.txt", "A memo whose events are newer than the cutoff.");
        var firstEvent = (await client.JobEventsAsync(jobId))[0].GetProperty("id").GetInt64();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
        var cutoff = DateTimeOffset.UtcNow.AddDays(-30);

        var end = await EventRetention.EndOfCandidates(db, cutoff).FirstOrDefaultAsync();
        Assert.Equal(firstEvent, end);

        var plan = await QueryPlans.SqliteAsync(EventRetention.Candidates(db, cutoff, end!.Value).Take(1000));
        Assert.Contains(plan, step => step.Contains("INTEGER PRIMARY KEY (rowid<?)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retention_DeletesOldJobsEventsExportsAndSilentWorkers_ButKeepsEachDocumentsLatestJob()
    {
        await using var factory = DocketFactory.Create(new Dictionary<string, string?>
        {
            ["Maintenance:RetentionInterval"] = "00:00:00.100",
            ["Maintenance:JobRetention"] = "00:00:01",
            ["Maintenance:EventRetention"] = "00:00:01",
            ["Maintenance:ExportRetention"] = "00:00:01",
            ["Maintenance:WorkerRetention"] = "00:00:01",
        });
        var client = factory.CreateAuthenticatedClient(Roles.Admin);
        var (id, firstJob) = await client.ProcessedTextAsync("report.txt", "A report to be processed twice.");
        var again = await client.PostJsonAsync($"/api/v1/review/{id}/reprocess", null, HttpStatusCode.Accepted);
        var latestJob = again.Guid("job_id");
        await client.WaitForJobStateAsync(latestJob, "succeeded");
        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        var export = await client.PostJsonAsync("/api/v1/export/json", new { }, HttpStatusCode.Created);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            var admin = factory.Account(Roles.Admin).Id;
            var longAgo = DateTimeOffset.UtcNow.AddDays(-3);
            var expired = new AuthSession { Id = Guid.NewGuid(), UserId = admin, Kind = "api", CreatedAt = longAgo, ExpiresAt = longAgo.AddHours(1) };
            db.AuthSessions.Add(expired);
            db.RefreshTokens.Add(new RefreshToken { TokenHash = "expired-" + Guid.NewGuid(), SessionId = expired.Id, CreatedAt = longAgo, ExpiresAt = longAgo.AddHours(1) });
            db.IdempotencyKeys.Add(new IdempotencyRecord
            {
                UserId = admin, IdempotencyKey = "old-key", Fingerprint = "x", StatusCode = 201, CreatedAt = longAgo, LockedUntil = longAgo,
                ExpiresAt = longAgo.AddDays(1),
            });
            db.Workers.Add(new WorkerRecord
            {
                Id = "gone:1:abcdef", Host = "gone", ProcessId = 1, Slots = 2, Busy = 1,
                StartedAt = DateTimeOffset.UtcNow.AddHours(-2), LastSeenAt = DateTimeOffset.UtcNow.AddHours(-2),
            });
            await db.SaveChangesAsync();
        }

        await Wait.UntilAsync(async () => (await client.GetAsync($"/api/v1/jobs/{firstJob}")).StatusCode,
                status => status == HttpStatusCode.NotFound, "the older job to be deleted");
        await Wait.UntilAsync(() => client.JobEventsAsync(latestJob), events => events.Length == 0, "the latest job's events to be deleted");
        await Wait.UntilAsync(async () => (await client.GetAsync($"/api/v1/export/{export.Guid("id")}/download")).StatusCode,
            status => status == HttpStatusCode.NotFound, "the export to be deleted");
        await Wait.UntilAsync(() => client.GetJsonAsync("/api/v1/admin/workers"),
            workers => workers.EnumerateArray().All(w => w.Str("worker_id") != "gone:1:abcdef"), "the silent worker to be pruned");

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            var dayAgo = DateTimeOffset.UtcNow.AddDays(-1);
            var now = DateTimeOffset.UtcNow;
            await Wait.UntilAsync(async () => (await db.AuthSessions.CountAsync(s => s.Kind == "api" && s.ExpiresAt < dayAgo),
                    await db.IdempotencyKeys.CountAsync(k => k.IdempotencyKey == "old-key")),
                left => left == (0, 0), "the expired session and idempotency key to be deleted");
            Assert.True(await db.AuthSessions.AnyAsync(s => s.ExpiresAt > now), "the test client's own session stays");
        }
        Assert.Equal("succeeded", (await client.GetJsonAsync($"/api/v1/jobs/{latestJob}")).Str("state"));
        var document = await client.GetJsonAsync($"/api/v1/documents/{id}");
        Assert.Equal("finalized", document.Str("status"));
        Assert.Equal(latestJob, document.GetProperty("current_job").Guid("id"));
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var runs = await scope.ServiceProvider.GetRequiredService<DocketDbContext>().MaintenanceRuns.ToListAsync();
            Assert.Contains(runs, r => r.Task == "job-retention" && r.StartedAt is not null);
            Assert.Contains(runs, r => r.Task == "lease-rescuer");
            Assert.Contains(runs, r => r.Task == "expired-sign-ins");
        }
    }

    private static ServiceProvider Node(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddDocketData();
        return services.BuildServiceProvider();
    }

    private sealed class RecordingTask(string node, Func<Task> run) : IMaintenanceTask
    {
        public string Name => "shared-task";

        public TimeSpan Interval => MaintenanceTests.Interval;

        public async Task<string> RunAsync(CancellationToken cancellationToken)
        {
            await run();
            return $"ran on {node}";
        }
    }
}
