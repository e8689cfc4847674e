using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Bench;

/// <summary>
/// Word accuracy and CPU of Docket's OCR (the real <see cref="TesseractOcr"/>, as the extractors run it) against
/// plain <c>tesseract IMAGE stdout -l LANG</c> on the same images, two at a time as a worker's two cores would.
/// <c>receipts</c>: the 150 scanned receipts of ../shared/samples/receipts against their transcriptions
/// (<see cref="WordScore"/>), in halves so that options tuned on one half are reported on the other: <c>tune</c>
/// is the receipts at even positions in file order, <c>test</c> the odd ones. <c>languages</c>: the 40 simulated
/// scans of ../shared/samples/rendered, where only the printed names, item descriptions and tax labels are known;
/// the score is the recall of their words, the plain run gets each scan's true language.
/// CPU is user + system time of the child processes (getrusage), not wall time: the machine is shared.
/// </summary>
public static class OcrAccuracyBench
{
    private sealed record Sample(string Image, string[] Truth, string Language);

    public static async Task RunAsync(string[] args)
    {
        var set = args.FirstOrDefault() ?? "receipts";
        var rest = args.Skip(1).ToList();
        var options = new OcrOptions();
        string? Take(string name)
        {
            var at = rest.IndexOf(name);
            if (at < 0 || at + 1 >= rest.Count) return null;
            var value = rest[at + 1];
            rest.RemoveRange(at, 2);
            return value;
        }

        if (Take("--psm") is { } psm) options.PageSegmentation = int.Parse(psm, CultureInfo.InvariantCulture);
        if (Take("--thresholding") is { } threshold) options.Thresholding = int.Parse(threshold, CultureInfo.InvariantCulture);
        if (Take("--languages") is { } languages) options.Languages = languages;
        if (rest.Remove("--fixed")) options.ChooseLanguages = false;
        if (rest.Remove("--no-noisy-retry")) options.NoisyPageThresholding = null;
        var half = Take("--half") ?? "all";
        var images = Take("--images");
        var details = Take("--details");
        var plain = rest.Remove("--plain");
        var docket = !rest.Remove("--plain-only");

        var samples = set switch
        {
            "receipts" => Receipts(images, half),
            "languages" => RenderedScans(images),
            _ => throw new ArgumentException($"unknown set '{set}': receipts or languages"),
        };

        var ocr = new TesseractOcr(options);
        if (docket)
        {
            var (score, cpu, lines) = await MeasureAsync(samples, async sample =>
            {
                var read = await ocr.ReadAsync(sample.Image, dpi: null, "the image", 1, pageRead: null, CancellationToken.None);
                var text = string.Join("\n", read.Pages.Select(p => p.Text));
                if (details is not null)
                {
                    Directory.CreateDirectory(details);
                    await File.WriteAllTextAsync(Path.Combine(details, Path.GetFileNameWithoutExtension(sample.Image) + ".txt"), text);
                }
                return (text, read.Languages);
            });
            Console.WriteLine(FormattableString.Invariant(
                $"docket {set} {half} ({samples.Count} images) psm {options.PageSegmentation}, thresholding {options.Thresholding} (noisy pages {options.NoisyPageThresholding?.ToString(CultureInfo.InvariantCulture) ?? "no retry"}), languages {options.Languages}{(options.ChooseLanguages ? " chosen per document" : " all at once")}: {Describe(score)}, CPU {cpu / samples.Count:0.000} s/page"));
            if (details is not null) await File.WriteAllLinesAsync(details + ".tsv", lines);
        }

        if (plain)
        {
            var (score, cpu, _) = await MeasureAsync(samples, async sample =>
                (await PlainTesseractAsync(sample.Image, sample.Language), sample.Language));
            Console.WriteLine(FormattableString.Invariant(
                $"plain tesseract {set} {half} ({samples.Count} images), its own language each: {Describe(score)}, CPU {cpu / samples.Count:0.000} s/page"));
        }
    }

    private static string Describe(WordScore s) => FormattableString.Invariant(
        $"words {s.Matched}/{s.Truth} recall {100 * s.Recall:0.0}% precision {100 * s.Precision:0.0}% F1 {100 * s.F1:0.0}%");

    private static async Task<(WordScore Score, double CpuSeconds, List<string> Lines)> MeasureAsync(
        List<Sample> samples, Func<Sample, Task<(string Text, string Languages)>> read)
    {
        var results = new (WordScore Score, string Languages)[samples.Count];
        var next = -1;
        var before = ChildrenCpuSeconds();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < samples.Count; i = Interlocked.Increment(ref next))
            {
                var (text, languages) = await read(samples[i]);
                results[i] = (WordScore.Of(samples[i].Truth, text), languages);
            }
        })));
        var cpu = ChildrenCpuSeconds() - before;
        var total = results.Aggregate(default(WordScore), (sum, r) => sum + r.Score);
        var lines = samples.Select((s, i) => FormattableString.Invariant(
            $"{Path.GetFileName(s.Image)}\t{s.Language}\t{results[i].Languages}\t{results[i].Score.Matched}\t{results[i].Score.Truth}\t{results[i].Score.Read}")).ToList();
        return (total, cpu, lines);
    }

    private static async Task<string> PlainTesseractAsync(string image, string language)
    {
        var start = new ProcessStartInfo("tesseract") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[image, "stdout", "-l", language]) start.ArgumentList.Add(argument);
        start.Environment["OMP_THREAD_LIMIT"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stderr;
        return text;
    }

    private static List<Sample> Receipts(string? images, string half)
    {
        var corpus = Path.Combine(SamplesRoot(), "receipts");
        images ??= Path.Combine(corpus, "images");
        var files = Directory.GetFiles(Path.Combine(corpus, "images"), "*.jpg").Order(StringComparer.Ordinal).ToList();
        return files
            .Where((_, i) => half switch { "tune" => i % 2 == 0, "test" => i % 2 == 1, _ => true })
            .Select(file =>
            {
                var name = Path.GetFileNameWithoutExtension(file);
                var box = File.ReadAllText(Path.Combine(corpus, "gold-ocr", name + ".box"));
                // A copy of the images (scaled, say) is read instead when --images names one; the transcription stays.
                var image = Directory.GetFiles(images, name + ".*").FirstOrDefault() ?? throw new FileNotFoundException(name, images);
                return new Sample(image, WordScore.BoxLines(box).ToArray(), "eng");
            })
            .ToList();
    }

    /// <summary>The scans, with the words of every string the truth says is printed on them.</summary>
    private static List<Sample> RenderedScans(string? images)
    {
        var corpus = Path.Combine(SamplesRoot(), "rendered");
        images ??= corpus;
        using var truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(corpus, "truth.json")));
        var samples = new List<Sample>();
        foreach (var document in truth.RootElement.GetProperty("documents").EnumerateArray())
        {
            if (document.GetProperty("format").GetString() is not ("jpg" or "png")) continue;
            var printed = new List<string>();
            void Add(JsonElement element, string property)
            {
                if (element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String) printed.Add(value.GetString()!);
            }
            Add(document.GetProperty("truth"), "issuer");
            var derived = document.GetProperty("derived");
            Add(derived, "buyer");
            foreach (var item in Items(derived, "line_items")) Add(item, "description");
            foreach (var tax in Items(derived, "tax_breakdown")) Add(tax, "label");
            var language = document.GetProperty("language").GetString()!;
            samples.Add(new Sample(Path.Combine(images, document.GetProperty("file").GetString()!), printed.ToArray(), Model(language)));
        }
        return samples;
    }

    private static IEnumerable<JsonElement> Items(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    /// <summary>tesseract's model for an ISO 639-1 code of the corpus.</summary>
    private static string Model(string language) => language switch
    {
        "en" => "eng", "de" or "de_CH" => "deu", "fr" => "fra", "nl" => "nld", "es" => "spa", "it" => "ita",
        "pt" => "por", "pl" => "pol", "sv" => "swe", "da" => "dan", "nb" => "nor", "fi" => "fin",
        _ => throw new ArgumentException($"no tesseract model known for '{language}'"),
    };

    private static string SamplesRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Docket.slnx"))) return Path.Combine(dir.FullName, "..", "shared", "samples");
        throw new InvalidOperationException("Docket.slnx not found above " + AppContext.BaseDirectory);
    }

    private static double ChildrenCpuSeconds()
    {
        if (GetRusage(RusageChildren, out var usage) != 0) throw new InvalidOperationException("getrusage failed");
        return usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
    }

    /// <summary>Every child this process has waited for, so a run's CPU is the difference of two readings.</summary>
    private const int RusageChildren = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        private Rest _rest;
    }

    [System.Runtime.CompilerServices.InlineArray(14)]
    private struct Rest
    {
        private long _first;
    }

    [DllImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static extern int GetRusage(int who, out Rusage usage);
}
