using System.Net.Http.Json;
using System.Net.Http.Headers;
using System.Net;
using Docket.Server.Tests.Distributed;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Observability;

/// <summary>
/// In distributed mode jobs run in `docket worker` processes, so their counters live there: with
/// Worker:MetricsUrls a worker serves /metrics of its own, and the API node's gauges see its heartbeat.
/// </summary>
public sealed class WorkerMetricsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-worker-metrics", Guid.NewGuid().ToString("N"));
    private DocketProcess? _api;
    private DocketProcess? _worker;
    private int _apiPort;
    private int _workerPort;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var environment = new Dictionary<string, string>
        {
            ["Docket__DataDirectory"] = Path.Combine(_root, "data"),
            ["Queue__PollInterval"] = "00:00:00.050",
            ["Queue__Heartbeat"] = "00:00:00.500",
            ["Auth__Admin__Email"] = ProcessAdmin.Email,
            ["Auth__Admin__Password"] = ProcessAdmin.Password,
        };
        _apiPort = Ports.Free();
        _api = DocketProcess.Start(Path.Combine(_root, "api.log"), environment, "serve", "--no-worker", "--urls", $"http://127.0.0.1:{_apiPort}");
        await Ports.WaitUntilListeningAsync(_apiPort, TimeSpan.FromSeconds(60), () => _api.HasExited, "docket serve");
        _workerPort = Ports.Free();
        _worker = DocketProcess.Start(Path.Combine(_root, "worker.log"), environment, "worker", $"--Worker:MetricsUrls=http://127.0.0.1:{_workerPort}");
        await Ports.WaitUntilListeningAsync(_workerPort, TimeSpan.FromSeconds(60), () => _worker.HasExited, "docket worker");
    }

    [Fact]
    public async Task AWorker_ServesTheMetricsOfTheJobsItRan()
    {
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPort}") };
        using var worker = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_workerPort}") };
        await ProcessAdmin.SignInAsync(api);
        var (id, _) = await api.ProcessedTextAsync("report.txt", "Processed by a worker process of its own.");

        var workerMetrics = PrometheusText.Parse(await worker.GetStringAsync("/metrics"));
        Assert.Equal(1, workerMetrics.Value("docket_jobs_succeeded_total"));
        Assert.Equal(1, workerMetrics.Value("docket_stage_duration_seconds_count", ("stage", "fields"), ("outcome", "completed")));
        Assert.Equal(HttpStatusCode.OK, (await worker.GetAsync("/health/live")).StatusCode);

        var apiMetrics = PrometheusText.Parse(await api.GetStringAsync("/metrics"));
        Assert.Equal(1, apiMetrics.Value("docket_jobs_created_total"));
        Assert.Equal(0, apiMetrics.Value("docket_jobs_succeeded_total"));
        Assert.Equal(1, apiMetrics.Value("docket_worker_processes"));
        Assert.True(apiMetrics.Value("docket_worker_slots", ("state", "idle")) >= 1);
        Assert.Equal("processed", (await api.GetJsonAsync($"/api/v1/documents/{id}/status")).Str("status"));
    }

    public Task DisposeAsync()
    {
        _worker?.Dispose();
        _api?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}
