using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Uploads;

namespace Docket.Bench;

/// <summary>
/// The whole pipeline (the default stages, as a worker runs them) on one many-page text PDF, against
/// raw <c>pdftotext -layout</c> on the same file: how much Docket adds to the one tool it cannot avoid.
/// Each side runs RUNS times after a warm-up (<see cref="WarmUpRuns"/> pipeline runs: a worker's pipeline runs
/// fully compiled code after its first few documents, and a single run left the stages' loops half-compiled,
/// at two to five times their steady cost), in interleaved pairs (so both see the same load), and
/// the medians are compared: wall clock, and CPU time (this process and its children), which a
/// machine busy with other work disturbs far less. Without a kind both the invoice and the report run,
/// each printing its BENCH-RESULT line.
/// </summary>
public static class PdfBench
{
    private const int WarmUpRuns = 5;

    public static async Task RunAsync(string[] args)
    {
        var pages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        string[] kinds = args.Length > 2 && args[2] != "all" ? [args[2]] : ["invoice", "report"];
        var keep = args.Length > 3 ? Path.GetFullPath(args[3]) : null;

        foreach (var kind in kinds)
        {
            await RunOneAsync(kind, pages, runs, keep);
            Console.WriteLine();
        }
    }

    private static async Task RunOneAsync(string kind, int pages, int runs, string? keep)
    {
        var folder = Directory.CreateTempSubdirectory("docket-pdf-bench-").FullName;
        try
        {
            var path = Path.Combine(folder, $"{kind}-{pages}.pdf");
            await File.WriteAllBytesAsync(path, (kind == "report" ? Report(pages) : Invoice(pages)).Build());
            if (keep is not null) File.Copy(path, keep, overwrite: true);
            var input = new DocumentInput(Guid.NewGuid(), Path.GetFileName(path), FileKind.Pdf, new FileInfo(path).Length, path);
            Console.WriteLine($"{kind}, {pages} pages, {input.SizeBytes:N0} bytes; {runs} runs each after {WarmUpRuns} warm-up runs");

            var stageTimes = new Dictionary<string, List<double>>();
            var stageCpu = new Dictionary<string, List<double>>();
            var stages = DefaultPipeline.CreateStages().Select(s => (IPipelineStage)new TimedStage(s, stageTimes, stageCpu)).ToList();
            var runner = new PipelineRunner(stages);

            await RawPdftotextAsync(path);
            var (_, warm) = await TimedPipelineAsync(runner, input);
            for (var i = 1; i < WarmUpRuns; i++) await TimedPipelineAsync(runner, input);
            // Tier-1 code is compiled in the background after a short delay; let it land before timing.
            await Task.Delay(500);
            stageTimes.Clear();
            stageCpu.Clear();

            var raw = new List<double>();
            var pipeline = new List<double>();
            var rawCpu = new List<double>();
            var pipelineCpu = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var cpu = CpuMilliseconds();
                raw.Add(await RawPdftotextAsync(path));
                rawCpu.Add(CpuMilliseconds() - cpu);
                cpu = CpuMilliseconds();
                pipeline.Add(await PipelineAsync(runner, input));
                pipelineCpu.Add(CpuMilliseconds() - cpu);
            }

            Console.WriteLine($"text: {warm.Text.Content.Length:N0} characters, category {warm.Category.Category}, {warm.Fields.Values.Count} fields, {warm.Fields.LineItems.Count} line items");
            Console.WriteLine();
            Console.WriteLine("| | median ms | min ms | max ms |");
            Console.WriteLine("|---|--:|--:|--:|");
            Row("`pdftotext -layout` alone", raw);
            Row("pipeline, all stages", pipeline);
            foreach (var (name, times) in stageTimes) Row($"stage `{name}`", times);
            Row("CPU: `pdftotext -layout` alone", rawCpu);
            Row("CPU: pipeline, all stages and tools", pipelineCpu);
            foreach (var (name, times) in stageCpu) Row($"CPU: stage `{name}`", times);
            Console.WriteLine();
            var ratio = Median(pipeline) / Median(raw);
            var cpuRatio = Median(pipelineCpu) / Median(rawCpu);
            var pairRatio = Median(pipeline.Zip(raw, (p, r) => p / r).ToList());
            Console.WriteLine($"ratio, wall clock (median pipeline / median pdftotext): {ratio:0.00}x; median of the pairs' ratios: {pairRatio:0.00}x");
            Console.WriteLine($"ratio, CPU time: {cpuRatio:0.00}x");
            Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
            BenchResult.Print("pdf", $"{kind}, {pages} pages", new Dictionary<string, double>
            {
                ["pdftotext_ms"] = Math.Round(Median(raw), 1),
                ["pipeline_ms"] = Math.Round(Median(pipeline), 1),
                ["ratio"] = Math.Round(ratio, 3),
                ["pair_ratio"] = Math.Round(pairRatio, 3),
                ["pdftotext_cpu_ms"] = Math.Round(Median(rawCpu), 1),
                ["pipeline_cpu_ms"] = Math.Round(Median(pipelineCpu), 1),
                ["cpu_ratio"] = Math.Round(cpuRatio, 3),
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Row(string name, List<double> times) =>
        Console.WriteLine($"| {name} | {Median(times):0.0} | {times.Min():0.0} | {times.Max():0.0} |");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>What a person would run: the tool, its whole output read from the pipe.</summary>
    private static async Task<double> RawPdftotextAsync(string path)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", path, "-"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pdftotext exited with {process.ExitCode}");
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> PipelineAsync(PipelineRunner runner, DocumentInput input) =>
        (await TimedPipelineAsync(runner, input)).Milliseconds;

    private static async Task<(double Milliseconds, DocumentResult Result)> TimedPipelineAsync(PipelineRunner runner, DocumentInput input)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await runner.RunAsync(new PipelineContext(input), _ => { }, CancellationToken.None);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        return outcome is PipelineOutcome.Completed completed
            ? (elapsed, completed.Result)
            : throw new InvalidOperationException($"The pipeline did not complete: {outcome}");
    }

    /// <summary>An itemised statement: a header, about 55 lines per page, totals at the end.</summary>
    private static PdfBuilder Invoice(int pages)
    {
        var random = new Random(42);
        string[] services = ["Consulting hours, project Aurora", "Cloud storage, 1 TB tier", "Support call, priority", "Travel expenses, rail",
            "Licence renewal, analytics seat", "On-site workshop, half day", "Data migration, batch", "Security review, module"];
        var pdf = new PdfBuilder();
        var net = 0m;
        var line = 0;
        for (var page = 1; page <= pages; page++)
        {
            var lines = new List<string>();
            if (page == 1)
            {
                lines.AddRange([
                    "Northwind Analytics Ltd", "12 Harbour Road, Bristol BS1 4QA", "", "INVOICE", "",
                    "Invoice No.:      NWA-2024-08812", "Invoice date:     14 March 2024", "Due date:         13 April 2024", "",
                    "Bill to: Lindenhof Logistics GmbH, Hafenstrasse 9, 20457 Hamburg", "",
                ]);
            }

            lines.Add("Date        Ref     Description                            Qty    Unit price      Amount");
            while (lines.Count < 58)
            {
                line++;
                var quantity = random.Next(1, 20);
                var price = Math.Round((decimal)(random.NextDouble() * 400 + 5), 2);
                var amount = quantity * price;
                net += amount;
                var date = new DateOnly(2024, 1, 1).AddDays(line % 60);
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{date:yyyy-MM-dd}  L{line:D5}  {services[random.Next(services.Length)],-36} {quantity,4} {price,12:N2} {amount,12:N2}"));
            }

            lines.Add($"                                                          Page {page} of {pages}");
            if (page == pages)
            {
                var tax = Math.Round(net * 0.2m, 2);
                lines.AddRange([
                    "",
                    string.Create(CultureInfo.InvariantCulture, $"                                              Subtotal:        GBP {net,14:N2}"),
                    string.Create(CultureInfo.InvariantCulture, $"                                              VAT 20%:         GBP {tax,14:N2}"),
                    string.Create(CultureInfo.InvariantCulture, $"                                              Total:           GBP {net + tax,14:N2}"),
                ]);
            }

            pdf.AddPage(lines);
        }

        return pdf;
    }

    /// <summary>Prose: paragraphs of words, about 60 lines per page.</summary>
    private static PdfBuilder Report(int pages)
    {
        var random = new Random(7);
        var words = ("the quarterly review shows revenue growth across all regions while operating costs remained stable " +
            "customer retention improved after the support team introduced faster response targets and the new analytics " +
            "platform reduced reporting time for managers in every department of the company during this period").Split(' ');
        var pdf = new PdfBuilder();
        for (var page = 1; page <= pages; page++)
        {
            var lines = new List<string> { $"Annual Operations Report, section {page}", "" };
            var current = new StringBuilder();
            while (lines.Count < 60)
            {
                var word = words[random.Next(words.Length)];
                if (current.Length + word.Length + 1 > 80)
                {
                    lines.Add(current.ToString());
                    current.Clear();
                    if (random.Next(8) == 0) lines.Add("");
                }

                current.Append(current.Length == 0 ? "" : " ").Append(word);
            }

            pdf.AddPage(lines);
        }

        return pdf;
    }

    /// <summary>User and system time of this process and of every child it has waited for (the tools), in ms.</summary>
    private static double CpuMilliseconds()
    {
        const int self = 0, children = -1;
        if (GetRusage(self, out var own) != 0 || GetRusage(children, out var tools) != 0)
            throw new InvalidOperationException("getrusage failed");
        return own.Milliseconds + tools.Milliseconds;
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out RUsage usage);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        // The counters that follow (maxrss, faults, switches, ...) are not read.
        private readonly long _r0, _r1, _r2, _r3, _r4, _r5, _r6, _r7, _r8, _r9, _r10, _r11, _r12, _r13;

        public readonly double Milliseconds =>
            (UserSeconds + SystemSeconds) * 1000.0 + (UserMicroseconds + SystemMicroseconds) / 1000.0;
    }

    /// <summary>Records how long each run of a stage takes, wall clock and CPU (of the process and the tools it waited for).</summary>
    private sealed class TimedStage(IPipelineStage inner, Dictionary<string, List<double>> times, Dictionary<string, List<double>> cpuTimes) : IPipelineStage
    {
        public string Name => inner.Name;

        public PipelinePhase Phase => inner.Phase;

        public async ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var cpu = CpuMilliseconds();
            var clock = Stopwatch.StartNew();
            await inner.RunAsync(context, cancellationToken);
            Add(times, clock.Elapsed.TotalMilliseconds);
            Add(cpuTimes, CpuMilliseconds() - cpu);
        }

        private void Add(Dictionary<string, List<double>> to, double value)
        {
            if (!to.TryGetValue(Name, out var list)) to[Name] = list = [];
            list.Add(value);
        }
    }
}
