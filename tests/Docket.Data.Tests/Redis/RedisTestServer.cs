using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Docket.Data.Redis;

namespace Docket.Data.Tests.Redis;

/// <summary>Where the shared test Redis is; missing configuration fails loudly instead of skipping.</summary>
public static class TestRedis
{
    public static RedisOptions Shared()
    {
        var endpoint = Environment.GetEnvironmentVariable("DOCKET_TEST_REDIS");
        if (string.IsNullOrWhiteSpace(endpoint))
            throw new InvalidOperationException(
                "DOCKET_TEST_REDIS is not set: run the tests with `make test`, or first `source scripts/test-services.sh start`.");
        return RedisOptions.Parse(endpoint) with { CommandTimeout = TimeSpan.FromSeconds(2), MaxReconnectDelay = TimeSpan.FromMilliseconds(200) };
    }

    public static string ServerBinary()
    {
        var path = Environment.GetEnvironmentVariable("DOCKET_TEST_REDIS_SERVER");
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            throw new InvalidOperationException(
                "DOCKET_TEST_REDIS_SERVER does not name a redis-server binary: run the tests with `make test`, or first `source scripts/test-services.sh start`.");
        return path;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Sends one command on a fresh connection and returns the reply (for checks the bus does not offer).</summary>
    public static async Task<RespValue> CommandAsync(RedisOptions options, params string[] command)
    {
        await using var connection = await RedisConnection.ConnectAsync(options, CancellationToken.None);
        RespWriter.WriteCommand(connection.Output, command);
        await connection.FlushAsync(CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await connection.ReadAsync(timeout.Token);
    }
}

/// <summary>A redis-server of the test's own, on a free port, that the test may stop and start again.</summary>
public sealed class RedisTestServer : IAsyncDisposable
{
    private readonly string[] _extraArguments;
    private Process? _process;

    private RedisTestServer(string[] extraArguments)
    {
        _extraArguments = extraArguments;
        Port = TestRedis.FreePort();
    }

    public int Port { get; }

    public RedisOptions Options => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        CommandTimeout = TimeSpan.FromSeconds(1),
        MaxReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<RedisTestServer> StartAsync(params string[] extraArguments)
    {
        var server = new RedisTestServer(extraArguments);
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(TestRedis.ServerBinary())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", .. _extraArguments])
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(5) && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Kills the server the hard way (SIGKILL), as a crash or a lost machine would.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
