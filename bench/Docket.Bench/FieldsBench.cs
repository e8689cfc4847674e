using System.Diagnostics;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Docket.Core.Uploads;

namespace Docket.Bench;

/// <summary>
/// CPU cost of the field stage per invoice with its text layer: the rules alone against the rules with the
/// learned scorer (candidates, features, trees), rounds interleaved so a busy machine slows both alike.
/// The goal: a one-page text PDF costs at most 50 ms of CPU beyond `pdftotext`.
/// </summary>
public static class FieldsBench
{
    public static async Task RunAsync(string[] args)
    {
        var corpus = args.Length > 0 ? args[0] : Path.Combine(EndToEnd.FindRepoRoot(), "..", "shared", "samples", "rendered");
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 20;
        var texts = await ReadTextPdfsAsync(corpus);
        var model = FieldModel.Shipped ?? throw new InvalidOperationException("This build has no field model.");
        Console.WriteLine($"{texts.Count} invoices with a text layer from {corpus}, {texts.Average(t => t.Pages):0.0} pages on average, {rounds} rounds");

        var cpu = new Dictionary<string, TimeSpan> { ["rules"] = TimeSpan.Zero, ["rules + scorer"] = TimeSpan.Zero };
        for (var round = -1; round < rounds; round++)
        {
            // Round -1 warms both paths up and is not counted.
            foreach (var (name, used) in (ReadOnlySpan<(string, FieldModel)>)[("rules", FieldModel.RulesOnly), ("rules + scorer", model)])
            {
                var before = Process.GetCurrentProcess().TotalProcessorTime;
                foreach (var text in texts) InvoiceFieldExtractor.Extract(text, Categories.Invoice, FileKind.Pdf, vendors: null, used);
                if (round >= 0) cpu[name] += Process.GetCurrentProcess().TotalProcessorTime - before;
            }
        }

        foreach (var (name, total) in cpu)
            Console.WriteLine($"{name}: {total.TotalMilliseconds / (rounds * texts.Count):0.000} ms of CPU per document");
        Console.WriteLine($"the scorer adds {(cpu["rules + scorer"] - cpu["rules"]).TotalMilliseconds / (rounds * texts.Count):0.000} ms per document");
    }

    private static async Task<List<ExtractedText>> ReadTextPdfsAsync(string folder)
    {
        var extract = DefaultPipeline.CreateStages()[0];
        var texts = new List<ExtractedText>();
        using var truth = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "truth.json")));
        foreach (var entry in truth.RootElement.GetProperty("documents").EnumerateArray())
        {
            var path = Path.Combine(folder, entry.GetProperty("file").GetString()!);
            if (FileKinds.FromFileName(path) is not FileKind.Pdf) continue;
            var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), Path.GetFileName(path), FileKind.Pdf, new FileInfo(path).Length, path));
            await extract.RunAsync(context, CancellationToken.None);
            if (context.Text is { } text && !text.Method.Contains("ocr", StringComparison.OrdinalIgnoreCase)) texts.Add(text);
        }

        return texts;
    }
}
