using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Docket.Server.Tests.Distributed;

/// <summary>Free loopback ports and small process helpers for tests that run real servers.</summary>
internal static class Ports
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task WaitUntilListeningAsync(int port, TimeSpan deadline, Func<bool> gaveUp, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < deadline && !gaveUp())
            {
                await Task.Delay(20);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"{what} is not listening on port {port}.", ex);
            }
        }
    }

    public static string Tail(string path, int lines = 40)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return $"--- {Path.GetFileName(path)} (last {lines} lines) ---\n" + string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException ex)
        {
            return $"--- {path}: {ex.Message} ---";
        }
    }
}

/// <summary>
/// A PostgreSQL cluster of the test's own (initdb into a temp folder, a free port) that can be
/// stopped the hard way and started again on the same port and folder. PostgreSQL refuses to run
/// as root, so the cluster belongs to the postgres user when the tests run as root.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private bool _running;

    private PostgresCluster(string bin, string root)
    {
        _bin = bin;
        _root = root;
        Port = Ports.Free();
    }

    public int Port { get; }

    public string DataFolder => Path.Combine(_root, "data");

    public string LogFile => Path.Combine(_root, "postgres.log");

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=3;Command Timeout=15";

    public static async Task<PostgresCluster> CreateAsync(string root)
    {
        var bin = Environment.GetEnvironmentVariable("DOCKET_TEST_PG_BIN") is { Length: > 0 } value && Directory.Exists(value)
            ? value
            : throw new InvalidOperationException(
                "DOCKET_TEST_PG_BIN does not name PostgreSQL's bin folder: run `make test`, or first `source scripts/test-services.sh start`.");
        Directory.CreateDirectory(root);
        // The postgres user must be able to create the data folder and the socket here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(root, (UnixFileMode)0b111_111_111);
        var cluster = new PostgresCluster(bin, root);
        await cluster.RunAsync($"'{bin}/initdb' -D '{cluster.DataFolder}' --auth=trust --username=postgres -E UTF8 --no-locale");
        await cluster.StartAsync();
        return cluster;
    }

    public async Task StartAsync()
    {
        await RunAsync($"'{_bin}/pg_ctl' -D '{DataFolder}' -l '{LogFile}' -w -t 30 -o \"-p {Port} -k '{_root}' "
            + "-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start");
        _running = true;
    }

    /// <summary>As a crash would: no checkpoint, every connection cut.</summary>
    public async Task StopImmediatelyAsync()
    {
        if (!_running) return;
        _running = false;
        await RunAsync($"'{_bin}/pg_ctl' -D '{DataFolder}' -m immediate -w stop");
    }

    private async Task RunAsync(string command)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "su" : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in asRoot ? ["postgres", "-s", "/bin/sh", "-c", command] : (string[])["-c", command])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run: {command}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"`{command}` exited with {process.ExitCode}: {await output}{await error}\n{Ports.Tail(LogFile)}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopImmediatelyAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone; the folder is deleted by the test.
        }
    }
}

/// <summary>A redis-server of the test's own on a free port, killed (SIGKILL) and started again on the same port.</summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = Ports.Free();

    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer();
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var binary = Environment.GetEnvironmentVariable("DOCKET_TEST_REDIS_SERVER") is { Length: > 0 } value && File.Exists(value)
            ? value
            : throw new InvalidOperationException(
                "DOCKET_TEST_REDIS_SERVER does not name a redis-server binary: run `make test`, or first `source scripts/test-services.sh start`.");
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no"])
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Ports.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(10), () => process.HasExited, "redis-server");
    }

    public async Task KillAsync()
    {
        if (_process is null) return;
        try
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}

/// <summary>A `docket` process from the test's output folder (docket.dll is copied there), its output in a file.</summary>
internal sealed class DocketProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _disposed;

    private DocketProcess(Process process, StreamWriter log, string logFile)
    {
        _process = process;
        _log = log;
        LogFile = logFile;
    }

    public int Pid { get; private set; }

    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    public static DocketProcess Start(string logFile, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "docket.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var log = new StreamWriter(new FileStream(logFile, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            AutoFlush = true,
        };
        var process = new Process { StartInfo = start };
        var child = new DocketProcess(process, log, logFile);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data is null ? null : "stderr: " + e.Data);
        process.Start();
        child.Pid = process.Id;
        child.Write($"=== started pid {process.Id}: docket {string.Join(' ', arguments)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (!_disposed) _log.WriteLine(line);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, leases are left to expire.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
        Write($"=== killed pid {Pid}");
    }

    public void Dispose()
    {
        if (_disposed) return;
        Kill();
        _process.WaitForExit(5000);
        lock (_log)
        {
            _disposed = true;
            _log.Dispose();
        }
        _process.Dispose();
    }
}
