using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Docket.Bench;

/// <summary>
/// SSE fan-out: N clients hold the change feed (GET /api/v1/events/stream) open on a fresh embedded
/// server while documents are uploaded at a steady rate (first 10 s of them untimed, as a warm-up);
/// every client should receive every progress event. The change feed is what the dashboard opens (web/src/live/useEventStream.ts), so a
/// dashboard with N viewers is N change-feed clients, all following the same documents.
/// Latency is the time a client read an event's frame minus the event's stored timestamp (same clock).
/// Clients are raw sockets that only look for the <c>id:</c> lines, so the client costs little
/// beside the server it measures.
/// </summary>
public static class SseBench
{

    private const int WarmUpSeconds = 10;

    public static async Task RunAsync(string[] args)
    {
        var streams = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var documentsPerSecond = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var seconds = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var serverDll = BenchServer.ServerDll;
        RaiseFileLimit(streams + 1000);

        var port = EndToEnd.FreePort();
        var data = Directory.CreateTempSubdirectory("docket-sse-bench-").FullName;
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        // There is no per-user limit on open streams; opening N of them is N requests, which the
        // per-address and per-user rate limits would refuse, so those are lifted for the run.
        var settings = BenchServer.AdminSettings(password);
        settings["Logging__LogLevel__Default"] = "Warning";
        using var server = BenchServer.StartDocket($"serve --urls http://127.0.0.1:{port}", data, settings, serverDll);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/v1/") };
        var clients = new List<StreamClient>(streams);
        try
        {
            var token = await SignInAsync(http, password);
            var request = Encoding.ASCII.GetBytes($"GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" +
                $"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n");

            var opening = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(200))
            {
                await Task.WhenAll(Enumerable.Range(0, streams).Select(async _ =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var client = await StreamClient.OpenAsync(port, request);
                        lock (clients) clients.Add(client);
                    }
                    finally { gate.Release(); }
                }));
            }
            var readers = clients.Select(c => c.ReadAsync()).ToList();
            Console.Error.WriteLine($"sse: {streams} streams open in {opening.Elapsed.TotalSeconds:0.0} s; " +
                $"server RSS {RssMb(server):0} MB");
            var words = "invoice report total amount vendor payment contract memo review summary quarter revenue".Split(' ');
            var rssPeak = 0.0;
            async Task<List<Guid>> UploadAtRateAsync(string prefix, int count)
            {
                var uploaded = new List<Guid>(count);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < count; i++)
                {
                    var due = TimeSpan.FromSeconds(i / documentsPerSecond);
                    if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                    var random = new Random(i);
                    var text = new StringBuilder($"Document {prefix}{i}\n");
                    for (var w = 0; w < 80; w++) text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ".\n" : " ");
                    uploaded.Add(await UploadAsync(http, $"sse-{prefix}{i}.txt", text.ToString()));
                    rssPeak = Math.Max(rssPeak, RssMb(server));
                }
                return uploaded;
            }

            // Every event of these uploads, read from the table, once every client has read as many since it began
            // counting: what each client must have received.
            async Task<Dictionary<long, DateTimeOffset>> SettleAsync(List<Guid> jobs)
            {
                var created = new Dictionary<long, DateTimeOffset>();
                for (var settle = Stopwatch.StartNew(); ; await Task.Delay(250))
                {
                    created.Clear();
                    var finished = 0;
                    foreach (var job in jobs)
                    {
                        using var events = JsonDocument.Parse(await http.GetStringAsync($"jobs/{job}/events"));
                        foreach (var e in events.RootElement.EnumerateArray())
                            created[e.GetProperty("id").GetInt64()] = e.GetProperty("timestamp").GetDateTimeOffset();
                        if (events.RootElement.EnumerateArray().Any(e => e.GetProperty("event").GetString() is "job_completed" or "job_failed"))
                            finished++;
                    }
                    rssPeak = Math.Max(rssPeak, RssMb(server));
                    if (finished == jobs.Count && clients.All(c => c.Counted >= created.Count)) return created;
                    if (settle.Elapsed > TimeSpan.FromSeconds(60))
                    {
                        Console.Error.WriteLine($"sse: gave up waiting: {finished}/{jobs.Count} jobs finished, " +
                            $"{clients.Count(c => c.Counted >= created.Count)}/{clients.Count} clients have every event");
                        return created;
                    }
                }
            }

            // The same uploads for a while before anything is timed, until every client has their events: the streams'
            // paths are then compiled and tiered up, as the end-to-end bench measures a server that has settled.
            var warmUp = await SettleAsync(await UploadAtRateAsync("warm-up-", (int)Math.Round(documentsPerSecond * WarmUpSeconds)));
            Console.Error.WriteLine($"sse: warm-up: {warmUp.Count} events to every stream");
            foreach (var client in clients) client.StartCounting();

            var cpuBefore = EndToEnd.CpuMilliseconds(server);
            var measuring = Stopwatch.StartNew();
            var jobs = await UploadAtRateAsync("", (int)Math.Round(documentsPerSecond * seconds));
            var created = await SettleAsync(jobs);
            var cpu = (EndToEnd.CpuMilliseconds(server) - cpuBefore) / 1000.0;
            var hwmMb = EndToEnd.Status(server, "VmHWM:") / 1024.0;
            rssPeak = Math.Max(rssPeak, RssMb(server));

            var latencies = new List<double>(clients.Count * created.Count);
            long delivered = 0, unknown = 0, outOfOrder = 0, closed = 0;
            long firstTicks = long.MaxValue, lastTicks = 0;
            foreach (var client in clients)
            {
                delivered += client.Counted;
                outOfOrder += client.OutOfOrder;
                if (client.Closed) closed++;
                for (var i = client.First; i < client.Received; i++)
                {
                    if (!created.TryGetValue(client.Ids[i], out var at)) { unknown++; continue; }
                    var receivedAt = client.ReceivedUtcTicks[i];
                    firstTicks = Math.Min(firstTicks, receivedAt);
                    lastTicks = Math.Max(lastTicks, receivedAt);
                    latencies.Add(TimeSpan.FromTicks(receivedAt - at.UtcTicks).TotalMilliseconds);
                }
            }
            var sorted = latencies.Order().ToArray();
            // Which events the short clients lack says where a loss happens (first or last of a batch, one event for all).
            var missing = clients.Where(c => c.Counted < created.Count)
                .SelectMany(c => created.Keys.Except(c.Ids.Take(c.Received).Skip(c.First)))
                .GroupBy(id => id).OrderByDescending(g => g.Count()).Take(5).Select(g => $"id {g.Key}: {g.Count()} clients");
            if (missing.Any()) Console.Error.WriteLine($"sse: missing events ({created.Keys.Min()}..{created.Keys.Max()}): {string.Join("; ", missing)}");
            var expected = (long)created.Count * clients.Count;
            var span = TimeSpan.FromTicks(Math.Max(1, lastTicks - firstTicks)).TotalSeconds;
            var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            Console.Error.WriteLine($"sse: {clients.Count} streams, {jobs.Count} documents, {created.Count} events each: " +
                $"{delivered}/{expected} delivered ({unknown} unknown ids, {outOfOrder} out of order, {closed} streams closed early); " +
                $"p50 {EndToEnd.Percentile(sorted, 50):0.0} ms, p95 {EndToEnd.Percentile(sorted, 95):0.0} ms, p99 {EndToEnd.Percentile(sorted, 99):0.0} ms, " +
                $"max {(sorted.Length > 0 ? sorted[^1] : double.NaN):0.0} ms; server RSS peak {rssPeak:0} MB (VmHWM {hwmMb:0} MB), " +
                $"CPU {cpu:0.0} s over {measuring.Elapsed.TotalSeconds:0.0} s; load {load}");
            var metrics = new Dictionary<string, double>
            {
                ["p50_ms"] = Round(EndToEnd.Percentile(sorted, 50)),
                ["p95_ms"] = Round(EndToEnd.Percentile(sorted, 95)),
                ["p99_ms"] = Round(EndToEnd.Percentile(sorted, 99)),
                ["delivered_ratio"] = expected == 0 ? 0 : Math.Round((double)(delivered - unknown) / expected, 4),
                ["events_per_s"] = Round(delivered / span),
                ["rss_mb"] = Round(rssPeak),
                ["server_cpu_ms"] = Round(cpu * 1000),
            };
            BenchResult.Print("sse", $"{streams} streams", metrics);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static double RssMb(Process server) => EndToEnd.Status(server, "VmRSS:") / 1024.0;

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 1) : -1;

    private static async Task<string> SignInAsync(HttpClient http, string password)
    {
        for (var i = 0; ; i++)
        {
            try { if ((await http.GetAsync("health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
            if (i > 300) throw new TimeoutException("The server did not become ready.");
            await Task.Delay(100);
        }
        using var login = await http.PostAsync("auth/login", new StringContent(
            JsonSerializer.Serialize(new { email = BenchServer.Email, password }), Encoding.UTF8, "application/json"));
        using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        var token = tokens.RootElement.GetProperty("access_token").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return token;
    }

    private static async Task<Guid> UploadAsync(HttpClient http, string name, string text)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "files", name);
        using var response = await http.PostAsync("documents", form);
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"Upload {name}: {(int)response.StatusCode}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("documents")[0].GetProperty("job_id").GetGuid();
    }

    /// <summary>The soft descriptor limit up to the hard one; the server started after this inherits it.</summary>
    internal static void RaiseFileLimit(int needed)
    {
        const int RlimitNofile = 7;
        if (getrlimit(RlimitNofile, out var limit) != 0) return;
        if (limit.Current < limit.Maximum)
        {
            limit.Current = limit.Maximum;
            _ = setrlimit(RlimitNofile, ref limit);
        }
        if (limit.Current < (ulong)needed)
            throw new InvalidOperationException($"{needed} descriptors are needed but the hard limit (ulimit -Hn) is {limit.Maximum}.");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, ref RLimit limit);

    /// <summary>
    /// One stream over a raw socket. It undoes the chunked transfer coding (a chunk boundary can fall
    /// anywhere in a frame), then records the id of every progress event and when it was read; the
    /// bytes between are skipped.
    /// </summary>
    private sealed class StreamClient : IDisposable
    {
        private static readonly long StartTicks = DateTimeOffset.UtcNow.UtcTicks;
        private static readonly Stopwatch Clock = Stopwatch.StartNew();
        private readonly Socket _socket;
        private readonly byte[] _pending;
        private readonly byte[] _events = new byte[32 * 1024];
        private int _carried;
        private long _lastId;
        private ChunkPart _part = ChunkPart.Size;
        private long _chunkLeft;

        private enum ChunkPart { Size, Data, End }

        private StreamClient(Socket socket, byte[] pending) => (_socket, _pending) = (socket, pending);

        public long[] Ids { get; private set; } = new long[256];

        public long[] ReceivedUtcTicks { get; private set; } = new long[256];

        public int Received { get; private set; }

        /// <summary>Where the measured events begin: those read before (the warm-up's) are not counted.</summary>
        public int First { get; private set; }

        public int Counted => Received - First;

        public void StartCounting() => First = Received;

        public int OutOfOrder { get; private set; }

        public bool Closed { get; private set; }

        public static async Task<StreamClient> OpenAsync(int port, byte[] request)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            await socket.SendAsync(request);
            var buffer = new byte[4096];
            var length = 0;
            int headersEnd;
            while ((headersEnd = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length));
                if (read == 0 || length + read == buffer.Length) throw new InvalidOperationException("The stream did not open.");
                length += read;
            }
            var headers = Encoding.ASCII.GetString(buffer, 0, headersEnd);
            if (!headers.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || !headers.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException($"The stream did not open as expected: {headers}");
            return new StreamClient(socket, buffer[(headersEnd + 4)..length]);
        }

        public async Task ReadAsync()
        {
            try
            {
                Receive(_pending, StartTicks + Clock.Elapsed.Ticks);
                var buffer = new byte[16 * 1024];
                while (true)
                {
                    var read = await _socket.ReceiveAsync(buffer);
                    if (read == 0) break;
                    Receive(buffer.AsSpan(0, read), StartTicks + Clock.Elapsed.Ticks);
                }
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
            Closed = true;
        }

        private void Receive(ReadOnlySpan<byte> input, long now)
        {
            while (!input.IsEmpty)
            {
                switch (_part)
                {
                    case ChunkPart.Size:
                        var newline = input.IndexOf((byte)'\n');
                        foreach (var b in newline < 0 ? input : input[..newline])
                            if (Uri.IsHexDigit((char)b)) _chunkLeft = _chunkLeft * 16 + (b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10);
                        if (newline < 0) return;
                        input = input[(newline + 1)..];
                        _part = _chunkLeft == 0 ? ChunkPart.End : ChunkPart.Data;
                        break;
                    case ChunkPart.Data:
                        var take = (int)Math.Min(_chunkLeft, Math.Min(input.Length, _events.Length - _carried));
                        input[..take].CopyTo(_events.AsSpan(_carried));
                        Scan(take, now);
                        input = input[take..];
                        _chunkLeft -= take;
                        if (_chunkLeft == 0) _part = ChunkPart.End;
                        break;
                    case ChunkPart.End:
                        var end = input.IndexOf((byte)'\n');
                        if (end < 0) return;
                        input = input[(end + 1)..];
                        _part = ChunkPart.Size;
                        break;
                }
            }
        }

        /// <summary>Looks through the stream's bytes so far; a line cut short is kept (from its newline) for the next call.</summary>
        private void Scan(int added, long now)
        {
            var length = _carried + added;
            var data = _events.AsSpan(0, length);
            while (true)
            {
                var at = data.IndexOf("\nid: "u8);
                if (at < 0) break;
                var line = data[(at + 5)..];
                var end = line.IndexOf((byte)'\n');
                if (end < 0) break;
                var id = long.Parse(line[..end], CultureInfo.InvariantCulture);
                data = line[end..];
                if (id <= _lastId) OutOfOrder++;
                _lastId = id;
                if (Received == Ids.Length)
                {
                    Ids = [.. Ids, .. new long[Ids.Length]];
                    ReceivedUtcTicks = [.. ReceivedUtcTicks, .. new long[ReceivedUtcTicks.Length]];
                }
                Ids[Received] = id;
                ReceivedUtcTicks[Received] = now;
                Received++;
            }
            var all = _events.AsSpan(0, length);
            var lastNewline = all.LastIndexOf((byte)'\n');
            _carried = lastNewline >= 0 && length - lastNewline <= 64 ? length - lastNewline : 0;
            if (_carried > 0) all.Slice(lastNewline, _carried).CopyTo(_events);
        }

        public void Dispose() => _socket.Dispose();
    }
}
