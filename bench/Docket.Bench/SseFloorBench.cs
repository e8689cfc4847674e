using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Docket.Bench;

/// <summary>
/// What this machine can do for the SSE fan-out with no Docket in it: a sending process accepts STREAMS
/// loopback connections and, every 500 ms, sends BYTES (one round's frames) to each of them from
/// SENDERS threads with plain blocking sends; this process reads them on async sockets, as the sse
/// scenario's clients do, and records when each stream got its round. No HTTP, no JSON, no
/// database, no per-stream task: the latency here is the kernel's sends and the clients' receives on
/// two shared cores, a floor under any server's p99 for the same fan-out on this machine.
/// </summary>
public static class SseFloorBench
{
    private const int Rounds = 40, WarmUpRounds = 10;

    public static async Task RunAsync(string[] args)
    {
        var streams = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var bytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3_000;
        var senders = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        SseBench.RaiseFileLimit(streams + 100);

        // The sending side is another process, as the server is in the sse scenario (and each side needs a descriptor per stream).
        var sending = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(SseFloorBench).Assembly.Location, "sse-floor-sender", $"{streams}", $"{bytes}", $"{senders}" },
            RedirectStandardOutput = true,
        })!;
        var port = int.Parse((await sending.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        var clients = new List<FloorClient>(streams);
        for (var opened = 0; opened < streams; opened += 200)
            clients.AddRange(await Task.WhenAll(Enumerable.Range(0, Math.Min(200, streams - opened)).Select(_ => FloorClient.OpenAsync(port, bytes))));
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var reading = clients.Select(c => Task.Run(c.ReadAsync)).ToList();
        var senderReport = await sending.StandardOutput.ReadToEndAsync();
        await sending.WaitForExitAsync();
        await Task.WhenAll(reading);
        var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var (sendLoopMs, senderCpu) = senderReport.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var loop, var cpu]
            ? (double.Parse(loop, CultureInfo.InvariantCulture), double.Parse(cpu, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"The sending process reported: {senderReport}");

        var latencies = clients.SelectMany(c => c.LatenciesMs.Skip(WarmUpRounds)).Order().ToArray();
        var measured = (Rounds - WarmUpRounds) * streams;
        double P(double percent) => EndToEnd.Percentile(latencies, percent);
        double PerDelivery(double seconds) => seconds * 1e6 / (Rounds * (double)streams);
        Console.Error.WriteLine($"sse-floor: {streams} streams, {bytes} bytes a round from {senders} sending threads: {latencies.Length}/{measured} received; " +
            $"p50 {P(50):0.0} ms, p95 {P(95):0.0} ms, p99 {P(99):0.0} ms, max {latencies[^1]:0.0} ms; send loop median {sendLoopMs:0.0} ms; " +
            $"CPU per delivery {PerDelivery(senderCpu):0.0} µs sending, {PerDelivery(clientCpu):0.0} µs receiving");
        BenchResult.Print("sse-floor", $"{streams} streams, {bytes} bytes, {senders} senders", new()
        {
            ["p50_ms"] = Math.Round(P(50), 1),
            ["p95_ms"] = Math.Round(P(95), 1),
            ["p99_ms"] = Math.Round(P(99), 1),
            ["send_loop_ms"] = Math.Round(sendLoopMs, 1),
            ["send_cpu_us"] = Math.Round(PerDelivery(senderCpu), 1),
            ["receive_cpu_us"] = Math.Round(PerDelivery(clientCpu), 1),
            ["delivered_ratio"] = Math.Round(latencies.Length / (double)measured, 4),
        });
    }

    /// <summary>
    /// The sending process: prints its port, accepts every stream, sends the rounds, then prints the median
    /// send loop (ms) and its CPU seconds over the rounds.
    /// </summary>
    public static async Task SendAsync(string[] args)
    {
        var (streams, bytes, senders) = (int.Parse(args[0], CultureInfo.InvariantCulture), int.Parse(args[1], CultureInfo.InvariantCulture),
            int.Parse(args[2], CultureInfo.InvariantCulture));
        SseBench.RaiseFileLimit(streams + 100);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4096);
        Console.WriteLine(((IPEndPoint)listener.LocalEndPoint!).Port);
        var accepted = new List<Socket>(streams);
        while (accepted.Count < streams)
        {
            var socket = await listener.AcceptAsync();
            socket.NoDelay = true;
            accepted.Add(socket);
        }

        var payload = new byte[bytes];
        var slices = Enumerable.Range(0, senders).Select(s => accepted.Where((_, i) => i % senders == s).ToArray()).ToArray();
        var loops = new List<double>();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < Rounds; round++)
        {
            await Task.Delay(500);
            var start = Stopwatch.GetTimestamp();
            // Stopwatch reads the monotonic clock, which both processes share.
            BinaryPrimitives.WriteInt64LittleEndian(payload, start);
            var threads = slices.Select(slice => new Thread(() =>
            {
                foreach (var socket in slice) socket.Send(payload);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            if (round >= WarmUpRounds) loops.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        await Task.Delay(1000);
        foreach (var socket in accepted) socket.Dispose();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{loops.Order().ElementAt(loops.Count / 2)} {cpu}"));
    }

    /// <summary>Reads fixed-size rounds, each stamped with the moment its sending began.</summary>
    private sealed class FloorClient(Socket socket, int bytes)
    {
        private readonly byte[] _round = new byte[bytes];
        private int _filled;

        public List<double> LatenciesMs { get; } = new(Rounds);

        public static async Task<FloorClient> OpenAsync(int port, int bytes)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return new FloorClient(socket, bytes);
        }

        public async Task ReadAsync()
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer);
                    if (read == 0) break;
                    var now = Stopwatch.GetTimestamp();
                    for (var at = 0; at < read;)
                    {
                        var take = Math.Min(read - at, bytes - _filled);
                        buffer.AsSpan(at, take).CopyTo(_round.AsSpan(_filled));
                        (at, _filled) = (at + take, _filled + take);
                        if (_filled < bytes) continue;
                        LatenciesMs.Add(Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64LittleEndian(_round), now).TotalMilliseconds);
                        _filled = 0;
                    }
                }
            }
            catch (SocketException) { }
            socket.Dispose();
        }
    }
}
