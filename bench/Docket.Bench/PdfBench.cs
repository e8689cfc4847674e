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
/// Each side runs RUNS times after a warm-up, alternating, and the medians are compared: wall clock,
/// and CPU time (this process and its children), which a machine busy with other work disturbs far less.
/// </summary>
public static class PdfBench
{
    public static async Task RunAsync(string[] args)
    {
        var pages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var kind = args.Length > 2 ? args[2] : "invoice";
        var keep = args.Length > 3 ? Path.GetFullPath(args[3]) : null;

        var folder = Directory.CreateTempSubdirectory("docket-pdf-bench-").FullName;
        try
        {
            var path = Path.Combine(folder, $"{kind}-{pages}.pdf");
            await File.WriteAllBytesAsync(path, (kind == "report" ? Report(pages) : Invoice(pages)).Build());
            if (keep is not null) File.Copy(path, keep, overwrite: true);
            var input = new DocumentInput(Guid.NewGuid(), Path.GetFileName(path), FileKind.Pdf, new FileInfo(path).Length, path);
            Console.WriteLine($"{kind}, {pages} pages, {input.SizeBytes:N0} bytes; {runs} runs each after a warm-up");

            var stageTimes = new Dictionary<string, List<double>>();
            var stages = DefaultPipeline.CreateStages().Select(s => (IPipelineStage)new TimedStage(s, stageTimes)).ToList();
            var runner = new PipelineRunner(stages);

            await RawPdftotextAsync(path);
            var (_, warm) = await TimedPipelineAsync(runner, input);
            stageTimes.Clear();

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
            Console.WriteLine();
            Console.WriteLine($"ratio, wall clock (median pipeline / median pdftotext): {Median(pipeline) / Median(raw):0.00}x");
            Console.WriteLine($"ratio, CPU time: {Median(pipelineCpu) / Median(rawCpu):0.00}x");
            Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
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

    /// <summary>Records how long each run of a stage takes.</summary>
    private sealed class TimedStage(IPipelineStage inner, Dictionary<string, List<double>> times) : IPipelineStage
    {
        public string Name => inner.Name;

        public PipelinePhase Phase => inner.Phase;

        public async ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            await inner.RunAsync(context, cancellationToken);
            if (!times.TryGetValue(Name, out var list)) times[Name] = list = [];
            list.Add(clock.Elapsed.TotalMilliseconds);
        }
    }
}
