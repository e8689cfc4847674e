using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Docket.Bench;

/// <summary>
/// One large text file streamed as multipart to POST /documents: MB/s and the server's peak RSS,
/// for the size asked for and for 64 MB in the same run, so the figures show whether memory grows
/// with the file. The server runs without its worker, so the upload path is measured alone; then a
/// `docket worker` processes the document and its own peak RSS is reported too.
/// </summary>
public static class UploadBench
{
    private const int SmallMegabytes = 64;
    private const long Megabyte = 1024 * 1024;

    public static async Task RunAsync(string[] args)
    {
        var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1024;
        var sizes = megabytes > SmallMegabytes ? new[] { SmallMegabytes, megabytes } : [megabytes];
        await using var server = await BenchServer.StartAsync("--no-worker", new Dictionary<string, string>
        {
            ["Uploads__MaxFileBytes"] = ((sizes.Max() + 1) * Megabyte).ToString(CultureInfo.InvariantCulture),
        });
        // The first upload compiles the path; it should not count against either size.
        await UploadAsync(server.Http, "warm-up.txt", 64 * 1024);

        foreach (var size in sizes)
        {
            var pid = server.Process.Id;
            var before = BenchServer.Memory(pid).RssMb;
            Console.Error.WriteLine($"upload: server before {size} MB: {BenchServer.Breakdown(pid)}");
            if (!BenchServer.TryResetPeak(pid))
                Console.Error.WriteLine("upload: could not reset the peak RSS (clear_refs); peaks include earlier uploads.");
            var clock = Stopwatch.StartNew();
            var id = await UploadAsync(server.Http, $"large-{size}.txt", size * Megabyte);
            var seconds = clock.Elapsed.TotalSeconds;
            var peak = BenchServer.Memory(pid).PeakMb;
            Console.Error.WriteLine($"upload: server after {size} MB: {BenchServer.Breakdown(pid)}");
            var (status, workerPeak, processing) = await ProcessAsync(server, id);
            Console.Error.WriteLine($"upload: {size} MB in {seconds:0.0} s ({size / seconds:0} MB/s); server RSS {before:0} MB before, " +
                $"peak {peak:0} MB; the worker took {processing.TotalSeconds:0.0} s to {status}, its peak RSS {workerPeak:0} MB");
            BenchResult.Print("upload", $"{size} MB text file", new()
            {
                ["upload_mb_per_s"] = Math.Round(size / seconds, 1),
                ["rss_before_mb"] = Math.Round(before, 1),
                ["peak_rss_mb"] = Math.Round(peak, 1),
                // What the upload itself costs: flat across sizes when nothing holds the file in memory.
                ["upload_growth_mb"] = Math.Round(peak - before, 1),
                ["worker_peak_rss_mb"] = Math.Round(workerPeak, 1),
                ["processing_ms"] = Math.Round(processing.TotalMilliseconds),
            });
        }
    }

    private static async Task<Guid> UploadAsync(HttpClient http, string fileName, long bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new GeneratedTextContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "files", fileName);
        using var response = await http.PostAsync("documents", form);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"Uploading {fileName}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("documents")[0].GetProperty("id").GetGuid();
    }

    /// <summary>Runs one worker until the document leaves the queue; its outcome, the worker's peak RSS and the time taken.</summary>
    private static async Task<(string Status, double PeakMb, TimeSpan Elapsed)> ProcessAsync(BenchServer server, Guid id)
    {
        using var worker = server.StartOther("worker");
        var clock = Stopwatch.StartNew();
        double peak = 0;
        try
        {
            while (true)
            {
                if (worker.HasExited)
                    throw new InvalidOperationException($"The worker exited with {worker.ExitCode} while processing the document (peak RSS {peak:0} MB).");
                peak = Math.Max(peak, BenchServer.Memory(worker.Id).PeakMb);
                using var status = JsonDocument.Parse(await server.Http.GetStringAsync($"documents/{id}/status"));
                var state = status.RootElement.GetProperty("status").GetString()!;
                if (state is not ("uploaded" or "queued" or "processing"))
                {
                    var reason = status.RootElement.TryGetProperty("failure_reason", out var r) && r.ValueKind == JsonValueKind.String ? $": {r.GetString()}" : "";
                    return (state + reason, peak, clock.Elapsed);
                }
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"The document is still {state} after 10 minutes.");
                await Task.Delay(100);
            }
        }
        finally
        {
            if (!worker.HasExited) worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Text lines written as the request is sent, never held whole: one 64 KB block of varied prose
    /// whose first line carries the block's number, so no two blocks are alike.
    /// </summary>
    private sealed class GeneratedTextContent(long length) : HttpContent
    {
        private static readonly byte[] Block = MakeBlock();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var buffer = (byte[])Block.Clone();
            for (long written = 0, number = 0; written < length; number++)
            {
                Encoding.ASCII.GetBytes($"{number,15}", buffer.AsSpan(6, 15));
                var count = (int)Math.Min(buffer.Length, length - written);
                await stream.WriteAsync(buffer.AsMemory(0, count));
                written += count;
            }
        }

        protected override bool TryComputeLength(out long result)
        {
            result = length;
            return true;
        }

        private static byte[] MakeBlock()
        {
            var words = "invoice report total amount vendor payment contract memo review summary quarter revenue".Split(' ');
            var random = new Random(42);
            var text = new StringBuilder("Block " + new string(' ', 15) + " of generated text\n");
            while (text.Length < 64 * 1024)
            {
                for (var w = 0; w < 12; w++) text.Append(words[random.Next(words.Length)]).Append(' ');
                text.Append(".\n");
            }
            return Encoding.ASCII.GetBytes(text.ToString(0, 64 * 1024));
        }
    }
}
