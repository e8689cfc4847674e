using System.Diagnostics;
using System.Text.Json;
using Docket.Eval;

// docket-eval --samples DIR --docket PATH [--write FILE] [--misses]
// Runs `docket extract` over every labelled document in DIR, scores the output against DIR/truth.json,
// prints the tables, and with --write replaces the evaluation section of FILE (docs/benchmarks.md).
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: docket-eval --samples DIR --docket DOCKET(.dll) [--write FILE] [--misses]");
    return 64;
}

var truth = Truth.Load(options.Samples);
var missing = truth.Where(d => !File.Exists(Path.Combine(options.Samples, d.File))).Select(d => d.File).ToList();
if (missing.Count > 0)
{
    Console.Error.WriteLine($"Labelled documents not found under {options.Samples}: {string.Join(", ", missing)}");
    return 1;
}

var watch = Stopwatch.StartNew();
var extracted = await Extraction.RunAsync(options.Docket, options.Samples, truth.Select(d => d.File).ToList());
watch.Stop();
if (extracted is null) return 1;

var scored = truth.Select(d => Scoring.Score(d, extracted.GetValueOrDefault(d.File))).ToList();
var report = Report.Render(scored, watch.Elapsed, options.Samples);
Console.WriteLine(report);
if (options.Misses) Console.WriteLine(Report.RenderMisses(scored));

if (options.Write is { } target)
{
    Report.WriteSection(target, report);
    Console.WriteLine($"Written to {target}.");
}

return 0;

internal sealed record Options(string Samples, string Docket, string? Write, bool Misses)
{
    public static Options? Parse(string[] args)
    {
        string? samples = null, docket = null, write = null;
        var misses = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples" when i + 1 < args.Length: samples = args[++i]; break;
                case "--docket" when i + 1 < args.Length: docket = args[++i]; break;
                case "--write" when i + 1 < args.Length: write = args[++i]; break;
                case "--misses": misses = true; break;
                default: return null;
            }
        }

        return samples is null || docket is null ? null : new Options(Path.GetFullPath(samples), Path.GetFullPath(docket), write, misses);
    }
}

namespace Docket.Eval
{
    internal static class Extraction
    {
        /// <summary>One `docket extract` run over all files (start-up paid once), keyed by the file as passed.</summary>
        public static async Task<Dictionary<string, JsonElement>?> RunAsync(string docket, string folder, IReadOnlyList<string> files)
        {
            var start = new ProcessStartInfo
            {
                FileName = docket.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? "dotnet" : docket,
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (docket.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(docket);
            start.ArgumentList.Add("extract");
            foreach (var file in files) start.ArgumentList.Add(file);

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {docket}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var results = new Dictionary<string, JsonElement>();
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.Length == 0) continue;
                var element = JsonDocument.Parse(line).RootElement.Clone();
                results[element.GetProperty("file").GetString()!] = element;
            }

            await process.WaitForExitAsync();
            var errors = await stderr;
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine($"docket extract exited with {process.ExitCode}:\n{errors}");
                return null;
            }

            return results;
        }
    }
}
