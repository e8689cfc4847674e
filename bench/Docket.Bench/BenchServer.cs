using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Docket.Bench;

/// <summary>
/// A real `docket serve` for one bench run: fresh data folder, a free port, the bench admin from
/// configuration, rate limits lifted (the bench is faster than any person). Disposing stops it and
/// removes the folder.
/// </summary>
public sealed class BenchServer : IAsyncDisposable
{
    public const string Email = "bench@docket.local";
    private readonly string _password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));

    private BenchServer(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }
    /// <summary>The server every scenario runs: the Release build, or DOCKET_BENCH_SERVER (e.g. a published build).</summary>
    public static string ServerDll => Environment.GetEnvironmentVariable("DOCKET_BENCH_SERVER") is { Length: > 0 } dll
        ? Path.GetFullPath(dll)
        : Path.Combine(EndToEnd.FindRepoRoot(), "src/Docket.Server/bin/Release/net10.0/docket.dll");
    public Process Process { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <param name="arguments">After `serve --urls ...`, e.g. "--no-worker".</param>
    /// <param name="settings">Configuration for this run, as environment variables (Section__Key).</param>
    public static async Task<BenchServer> StartAsync(string arguments, IReadOnlyDictionary<string, string> settings)
    {
        var server = new BenchServer(Directory.CreateTempSubdirectory("docket-bench-").FullName);
        try
        {
            var port = EndToEnd.FreePort();
            var environment = new Dictionary<string, string>(settings);
            foreach (var (key, value) in AdminSettings(server._password)) environment[key] = value;
            server.Process = StartDocket($"serve --urls http://127.0.0.1:{port} {arguments}", server.DataDirectory, environment);
            server.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/v1/"), Timeout = Timeout.InfiniteTimeSpan };
            await server.SignInAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Another docket process (e.g. `worker`) on this server's data folder; its output goes to stderr.</summary>
    public Process StartOther(string arguments) => StartDocket(arguments, DataDirectory, new Dictionary<string, string>());

    /// <summary>
    /// The bench admin, made from configuration on the first start, and the rate limits lifted: a bench
    /// asks faster than any person, and opening N streams is N requests.
    /// </summary>
    public static Dictionary<string, string> AdminSettings(string password) => new()
    {
        ["Auth__Admin__Email"] = Email,
        ["Auth__Admin__Password"] = password,
        ["RateLimits__PerIpBurst"] = "100000000",
        ["RateLimits__PerIpPerSecond"] = "100000000",
        ["RateLimits__PerUserBurst"] = "100000000",
        ["RateLimits__PerUserPerSecond"] = "100000000",
        ["RateLimits__UploadFileBurst"] = "100000000",
        ["RateLimits__UploadFilesPerSecond"] = "100000000",
        ["RateLimits__UploadMegabyteBurst"] = "2000000",
        ["RateLimits__UploadMegabytesPerSecond"] = "100000000",
    };

    /// <summary>A docket process on <paramref name="dataDirectory"/>; its log lines are dropped, its errors go to stderr.</summary>
    public static Process StartDocket(string arguments, string dataDirectory, IReadOnlyDictionary<string, string> settings, string? serverDll = null)
    {
        var start = new ProcessStartInfo("dotnet", $"{serverDll ?? ServerDll} {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Docket__DataDirectory"] = dataDirectory;
        foreach (var (key, value) in settings) start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task SignInAsync()
    {
        for (var i = 0; ; i++)
        {
            if (Process.HasExited) throw new InvalidOperationException($"The server exited with {Process.ExitCode} while starting.");
            try { if ((await Http.GetAsync("health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            if (i > 600) throw new TimeoutException("The server did not become ready within a minute.");
            await Task.Delay(100);
        }
        using var login = await Http.PostAsync("auth/login", new StringContent(
            JsonSerializer.Serialize(new { email = Email, password = _password }), Encoding.UTF8, "application/json"));
        login.EnsureSuccessStatusCode();
        using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("access_token").GetString());
    }

    /// <summary>Resident and peak resident memory of a process, in MB, from /proc/PID/status.</summary>
    public static (double RssMb, double PeakMb) Memory(int pid)
    {
        double Read(string[] lines, string key) =>
            long.Parse(lines.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return (Read(status, "VmRSS:"), Read(status, "VmHWM:"));
    }

    /// <summary>Where the resident memory is: anonymous (GC heap, native), file-backed (mapped assemblies), shared (JIT code).</summary>
    public static string Breakdown(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        return string.Join(", ", new[] { "RssAnon:", "RssFile:", "RssShmem:" }.Select(key =>
            $"{key[3..^1].ToLowerInvariant()} {long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024} MB"));
    }

    /// <summary>Starts a new peak (VmHWM) from the current RSS: writing 5 to clear_refs does that since Linux 4.0.</summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (Process is { HasExited: false })
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process?.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
