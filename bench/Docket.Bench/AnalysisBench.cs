using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Docket.Core.Learning;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Analysis;
using Docket.Core.Pipeline.Stages.Categorising;
using Docket.Core.Uploads;

namespace Docket.Bench;

/// <summary>
/// CPU cost of the analyse and categorise stages, which run on the hot path of every document:
/// microseconds per document for the labelled corpus and for the small text documents of the
/// end-to-end run, plus the corpus accuracy of category and language so a speed-up that costs
/// accuracy shows at once.
/// </summary>
public static class AnalysisBench
{
    public static async Task RunAsync(string[] args)
    {
        var corpus = args.Length > 0 ? args[0] : Path.Combine(EndToEnd.FindRepoRoot(), "..", "shared", "samples", "invoices");
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 200;

        var documents = await ReadCorpusAsync(corpus);
        var stages = DefaultPipeline.CreateStages().Where(s => s.Name is "analyse" or "categorise").ToArray();

        PrintAccuracy(documents, stages);
        Console.WriteLine();
        var texts = documents.Select(d => d.Text).ToArray();
        Time("corpus documents (text layer)", texts, stages, rounds);
        Time("small text documents (~600 bytes)", SmallDocuments(200), stages, rounds);
        Time("corpus, analyse only", texts, stages[..1], rounds);
        Time("corpus, categorise only", texts, stages[1..], rounds);

        // As deployed after a while: the classifier and the document frequencies have learned from
        // finalised documents (here the corpus itself), so categorise also runs naive Bayes.
        var classifier = new CategoryClassifier();
        var frequencies = new DocumentFrequencies();
        foreach (var document in documents)
        {
            var example = new FinalisedExample(Guid.NewGuid(), Guid.Empty, document.File, document.Text.Content, document.Category,
                document.Category, new Dictionary<string, ExtractedField>(), new Dictionary<string, string?>(), DateTimeOffset.UtcNow);
            classifier.Learn(example);
            frequencies.Learn(example);
        }

        var learned = DefaultPipeline.CreateStages(classifier, frequencies).Where(s => s.Name is "analyse" or "categorise").ToArray();
        Time("corpus, with learners trained on it", texts, learned, rounds);
        Time("small text documents, with learners", SmallDocuments(200), learned, rounds);
    }

    private sealed record Labelled(string File, string Category, string? Language, ExtractedText Text);

    private static async Task<List<Labelled>> ReadCorpusAsync(string folder)
    {
        var extract = DefaultPipeline.CreateStages()[0];
        var documents = new List<Labelled>();
        using var truth = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "truth.json")));
        foreach (var entry in truth.RootElement.GetProperty("documents").EnumerateArray())
        {
            var file = entry.GetProperty("file").GetString()!;
            var path = Path.Combine(folder, file);
            if (FileKinds.FromFileName(path) is not { } kind) continue;
            var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), Path.GetFileName(path), kind, new FileInfo(path).Length, path));
            try
            {
                await extract.RunAsync(context, CancellationToken.None);
            }
            catch (UnprocessableDocumentException)
            {
                continue; // images and scans wait for OCR
            }

            documents.Add(new Labelled(file, entry.GetProperty("category").GetString()!,
                entry.GetProperty("language").GetString(), context.Text!));
        }

        return documents;
    }

    private static void PrintAccuracy(List<Labelled> documents, IPipelineStage[] stages)
    {
        var perCategory = new SortedDictionary<string, (int Right, int Total)>(StringComparer.Ordinal);
        int languageRight = 0, languageNull = 0;
        var mistakes = new List<string>();
        foreach (var document in documents)
        {
            var context = Run(document.Text, stages);
            var (right, total) = perCategory.GetValueOrDefault(document.Category);
            var correct = context.Category!.Category == document.Category;
            perCategory[document.Category] = (right + (correct ? 1 : 0), total + 1);
            if (!correct) mistakes.Add($"  {document.File}: {document.Category} filed as {context.Category.Category} ({context.Category.Confidence})");
            if (context.Analysis!.Language == document.Language) languageRight++;
            else if (context.Analysis.Language is null) languageNull++;
            else mistakes.Add($"  {document.File}: language {document.Language} taken for {context.Analysis.Language}");
        }

        Console.WriteLine($"{documents.Count} corpus documents with a text layer");
        foreach (var (category, (right, total)) in perCategory)
            Console.WriteLine($"  {category,-16} {right,3}/{total,-3}");
        Console.WriteLine($"category: {perCategory.Values.Sum(v => v.Right)}/{documents.Count}; language: {languageRight}/{documents.Count} right, {languageNull} unsure");
        foreach (var mistake in mistakes) Console.WriteLine(mistake);
    }

    /// <summary>
    /// Wall-clock median and percentiles per document, and the process's CPU time per document over
    /// the whole run: on a busy machine the wall clock counts time the thread was not running, CPU time does not.
    /// </summary>
    private static void Time(string name, ExtractedText[] texts, IPipelineStage[] stages, int rounds)
    {
        // Past tiered compilation, whose background JIT would otherwise count as CPU time here.
        for (var i = 0; i < 30; i++) foreach (var text in texts) Run(text, stages);

        var perDocument = new double[texts.Length];
        var clock = new Stopwatch();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var round = 0; round < rounds; round++)
        for (var i = 0; i < texts.Length; i++)
        {
            clock.Restart();
            Run(texts[i], stages);
            perDocument[i] += clock.Elapsed.TotalMicroseconds;
        }

        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / rounds / texts.Length;
        var sorted = perDocument.Select(t => t / rounds).Order().ToArray();
        var chars = texts.Average(t => t.Content.Length);
        Console.WriteLine($"{name}: {texts.Length} texts, mean {chars:0} chars; µs per document: CPU mean {cpu:0}; " +
            $"wall median {sorted[sorted.Length / 2]:0}, p90 {sorted[sorted.Length * 9 / 10]:0}, max {sorted[^1]:0}");
    }

    private static PipelineContext Run(ExtractedText text, IPipelineStage[] stages)
    {
        var context = new PipelineContext(new DocumentInput(Guid.Empty, "bench.txt", FileKind.Text, text.Content.Length, "/nonexistent")) { Text = text };
        foreach (var stage in stages) stage.RunAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return context;
    }

    /// <summary>The documents the end-to-end bench uploads.</summary>
    private static ExtractedText[] SmallDocuments(int count)
    {
        var words = "invoice report total amount vendor payment contract memo review summary quarter revenue".Split(' ');
        return Enumerable.Range(0, count).Select(i =>
        {
            var random = new Random(i);
            var text = new StringBuilder($"Document {i}\n");
            for (var w = 0; w < 80; w++) text.Append(words[random.Next(words.Length)]).Append(w % 12 == 11 ? ".\n" : " ");
            return new ExtractedText(text.ToString(), [0], "native");
        }).ToArray();
    }
}
