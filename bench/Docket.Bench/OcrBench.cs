using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Core.Uploads;

namespace Docket.Bench;

/// <summary>
/// OCR on the labelled scans of ../shared/samples/invoices (image-only PDFs, PNG, JPEG): pages
/// read per second through the real extractors (pdftoppm and tesseract, as the worker runs them),
/// with PARALLEL documents at a time as a worker's job slots would, and how many of the eight
/// invoice fields the whole pipeline then gets exactly right, so a language or resolution change
/// shows its cost and its gain side by side. Every document is read ROUNDS times.
/// </summary>
public static class OcrBench
{
    private static readonly string[] Fields = ["issuer", "invoice_number", "date", "due_date", "net", "tax", "total", "currency"];

    public static async Task RunAsync(string[] args)
    {
        var options = new OcrOptions
        {
            Languages = args.Length > 0 ? args[0] : new OcrOptions().Languages,
            Dpi = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : new OcrOptions().Dpi,
        };
        var parallel = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var corpus = Path.Combine(RepoRoot(), "..", "shared", "samples", "invoices");
        var scans = Scans(corpus).ToList();

        var runs = Enumerable.Range(0, rounds).SelectMany(_ => scans).ToList();
        var results = new (Scan Scan, DocumentResult Result)[runs.Count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < runs.Count; i = Interlocked.Increment(ref next))
                results[i] = (runs[i], await ProcessAsync(runs[i], options));
        })));
        var seconds = clock.Elapsed.TotalSeconds;

        var pages = results.Sum(r => r.Result.Text.Pages);
        var right = 0;
        var perField = Fields.ToDictionary(f => f, _ => 0);
        foreach (var (scan, result) in results.Take(scans.Count))
            foreach (var field in Fields)
            {
                if (!Matches(scan.Truth.GetProperty(field), result.Fields.Values.GetValueOrDefault(field)?.Value)) continue;
                right++;
                perField[field]++;
            }

        var share = 100.0 * right / (scans.Count * Fields.Length);
        Console.WriteLine(FormattableString.Invariant($"ocr {options.Languages} at {options.Dpi} dpi, {parallel} at a time: {pages} pages ({scans.Count} scans x {rounds}) in {seconds:0.0} s = {pages / seconds:0.00} pages/s"));
        Console.WriteLine(FormattableString.Invariant($"  fields exactly right: {right}/{scans.Count * Fields.Length} = {share:0.0}%"));
        Console.WriteLine("  " + string.Join(", ", perField.Select(f => $"{f.Key} {f.Value}/{scans.Count}")));
    }

    private sealed record Scan(string Path, JsonElement Truth);

    /// <summary>The documents whose text only OCR can read: PNG and JPEG, and PDFs the corpus marks "OCR required".</summary>
    private static IEnumerable<Scan> Scans(string corpus)
    {
        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(corpus, "truth.json")));
        foreach (var document in truth.RootElement.GetProperty("documents").EnumerateArray())
        {
            var format = document.GetProperty("format").GetString();
            var notes = document.TryGetProperty("notes", out var n) ? n.ToString() : "";
            if (format is "png" or "jpg" || format == "pdf" && notes.Contains("OCR required", StringComparison.Ordinal))
                yield return new Scan(Path.Combine(corpus, document.GetProperty("file").GetString()!), document.GetProperty("truth").Clone());
        }
    }

    private static async Task<DocumentResult> ProcessAsync(Scan scan, OcrOptions options)
    {
        var kind = FileKinds.FromFileName(scan.Path) ?? throw new InvalidOperationException($"{scan.Path}: unknown kind");
        var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), Path.GetFileName(scan.Path), kind, new FileInfo(scan.Path).Length, scan.Path));
        foreach (var stage in DefaultPipeline.CreateStages(ocr: options)) await stage.RunAsync(context, CancellationToken.None);
        return context.ToResult();
    }

    /// <summary>Exact, as the evaluation scores it: amounts as numbers, everything else as text; null only matches null.</summary>
    private static bool Matches(JsonElement expected, string? actual) => expected.ValueKind switch
    {
        JsonValueKind.Null => actual is null,
        JsonValueKind.Number => decimal.TryParse(actual, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                                && value == expected.GetDecimal(),
        _ => expected.GetString()?.Trim() == actual?.Trim(),
    };

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Docket.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Docket.slnx not found above " + AppContext.BaseDirectory);
    }
}
