using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Docket.Bench;

/// <summary>
/// End-to-end throughput: N small text documents uploaded over HTTP by C concurrent clients,
/// timed until every one is processed. Starts its own server on a fresh data folder.
/// </summary>
public static class EndToEnd
{
    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 2000;
        var clients = args.Length > 1 ? int.Parse(args[1]) : 16;
        var serverDll = args.Length > 2 ? args[2] : Path.Combine(FindRepoRoot(), "src/Docket.Server/bin/Release/net10.0/docket.dll");
        const int port = 8098;
        var data = Directory.CreateTempSubdirectory("docket-bench-").FullName;

        // "drain" mode: upload everything with no worker running, then time one `docket worker` emptying the queue.
        var drain = Environment.GetEnvironmentVariable("BENCH_MODE") == "drain";
        // The first admin comes from configuration; the benchmark signs in as it. Its clients upload far
        // faster than a person, so the per-user and per-address limits are lifted for this run.
        const string email = "bench@docket.local";
        var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
        using var server = Process.Start(new ProcessStartInfo("dotnet", $"{serverDll} serve --urls http://127.0.0.1:{port}" + (drain ? " --no-worker" : ""))
        {
            Environment =
            {
                ["Docket__DataDirectory"] = data,
                ["Auth__Admin__Email"] = email,
                ["Auth__Admin__Password"] = password,
                ["RateLimits__PerIpPerMinute"] = "100000000",
                ["RateLimits__PerUserPerMinute"] = "100000000",
                ["RateLimits__UploadsPerUserPerMinute"] = "100000000",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/api/v1/"),
        };
        try
        {
            for (var i = 0; ; i++)
            {
                try { if ((await http.GetAsync("health/ready")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                if (i > 200) throw new TimeoutException("The server did not become ready.");
                await Task.Delay(100);
            }
            using (var login = await http.PostAsync("auth/login", new StringContent(
                JsonSerializer.Serialize(new { email, password }), Encoding.UTF8, "application/json")))
            {
                using var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.RootElement.GetProperty("access_token").GetString());
            }

            var words = "invoice report total amount vendor payment contract memo review summary quarter revenue".Split(' ');
            var bodies = Enumerable.Range(0, count).Select(i =>
            {
                var random = new Random(i);
                var text = new StringBuilder($"Document {i}\n");
                for (var w = 0; w < 80; w++) text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ".\n" : " ");
                return Encoding.UTF8.GetBytes(text.ToString());
            }).ToArray();

            var next = -1;
            var uploadTimes = new long[count];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    using var form = new MultipartFormDataContent();
                    var file = new ByteArrayContent(bodies[i]);
                    file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                    form.Add(file, "files", $"doc-{i}.txt");
                    using var response = await http.PostAsync("documents", form);
                    if ((int)response.StatusCode != 201) throw new InvalidOperationException($"Upload {i}: {(int)response.StatusCode}");
                    uploadTimes[i] = clock.ElapsedMilliseconds;
                }
            }));
            var uploaded = clock.Elapsed;
            Process? worker = null;
            if (drain)
            {
                clock.Restart();
                worker = Process.Start(new ProcessStartInfo("dotnet", $"{serverDll} worker") { Environment = { ["Docket__DataDirectory"] = data } });
            }

            while (true)
            {
                using var stats = JsonDocument.Parse(await http.GetStringAsync("admin/stats"));
                var processed = stats.RootElement.GetProperty("documents_by_status").GetProperty("processed").GetInt32();
                var failed = stats.RootElement.GetProperty("documents_by_status").GetProperty("failed").GetInt32();
                if (processed + failed >= count)
                {
                    if (failed > 0) Console.WriteLine($"{failed} documents failed");
                    break;
                }
                await Task.Delay(20);
            }
            var total = clock.Elapsed;
            worker?.Kill(entireProcessTree: true);
            Console.WriteLine($"{count} documents, {clients} clients: uploaded in {uploaded.TotalSeconds:0.00} s " +
                $"({count / uploaded.TotalSeconds:0} uploads/s), all processed in {total.TotalSeconds:0.00} s ({count / total.TotalSeconds:0} documents/s)");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(data, recursive: true);
        }

    }

    internal static string FindRepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Docket.slnx"))) directory = directory.Parent;
        return directory?.FullName ?? throw new DirectoryNotFoundException("Docket.slnx not found above the bench.");
    }
}
