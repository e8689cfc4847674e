using System.Diagnostics;
using System.Globalization;
using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Docket.Core.Uploads;
using Docket.Eval;

// docket-eval [--samples DIR]... [--cv K] [--write FILE] [--misses] [--fresh] [--cache DIR]
//   Reads every labelled document of every set with Docket's extract stage, runs the rest of the pipeline as
//   `docket extract` does, and scores it against the set's truth.json: per set, per format group and per
//   language, receipts also on their exact transcription, with the confidence table. With --cv K the field
//   scorer is trained K times, each time without one fold of sellers, and scored on that fold: the figure
//   that estimates documents nobody has seen. --write replaces the generated section of FILE.
//   --rules-only scores the rules alone, without the field model: the figure the model is measured against.
// docket-eval train [--samples DIR]... --out FILE
//   Trains the field scorer on every set (`make train`) and writes it to FILE.
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: docket-eval [train] --samples DIR [--samples DIR]... [--cv K | --rules-only] [--write FILE] [--out FILE] [--misses] [--fresh] [--cache DIR]");
    return 64;
}

var unlabelled = options.Samples.Where(folder => !File.Exists(Path.Combine(folder, "truth.json"))).ToList();
if (unlabelled.Count > 0)
{
    Console.Error.WriteLine($"No truth.json in {string.Join(", ", unlabelled)}: --samples names a labelled set's folder.");
    return 1;
}

var truth = options.Samples.SelectMany(Truth.Load).ToList();
var missing = truth.Where(d => !File.Exists(d.Path)).Select(d => d.Key).ToList();
if (missing.Count > 0)
{
    Console.Error.WriteLine($"Labelled documents not found: {string.Join(", ", missing)}");
    return 1;
}

var watch = Stopwatch.StartNew();
var corpus = new Corpus(options.Cache, options.Fresh);
var read = await corpus.ReadAsync(truth, includeOcr: !options.Train, parallelism: Environment.ProcessorCount, CancellationToken.None);
Console.Error.WriteLine($"Read {read.Count} documents in {watch.Elapsed.TotalSeconds:0.0} s.");

if (options.Train)
{
    var model = Training.TrainAll(read.Where(Evaluation.IsTraining).ToList());
    await File.WriteAllTextAsync(options.Out!, model.Write() + "\n");
    Console.WriteLine($"Wrote the field model ({model.Fields.Count} fields, {model.Fields.Values.Sum(f => f.Trees.Length)} trees) to {options.Out}.");
    return 0;
}

List<Scored> scored;
string title;
if (options.Folds is { } k)
{
    var folds = Folds.Assign(read.Select(r => r.Truth.Seller).ToList(), k, Training.Seed);
    var outputs = new Output[read.Count];
    for (var fold = 0; fold < k; fold++)
    {
        var model = Training.TrainAll(read.Where((r, i) => folds[i] != fold && Evaluation.IsTraining(r)).ToList());
        for (var i = 0; i < read.Count; i++)
            if (folds[i] == fold) outputs[i] = await Evaluation.RunAsync(read[i], model);
        Console.Error.WriteLine($"Fold {fold + 1} of {k} scored ({watch.Elapsed.TotalSeconds:0} s).");
    }

    scored = read.Select((r, i) => Scoring.Score(r, outputs[i])).ToList();
    title = $"`make eval CV={k}`: {k}-fold cross-validation by seller over {string.Join(", ", options.Samples.Select(s => $"`{Path.GetFileName(s)}`"))} "
        + $"({truth.Count} labelled documents). Each fold's field scorer was trained, as `make train` trains the shipped one, on the other folds "
        + "(their text PDFs and text files, and the receipts' exact transcriptions) and scored on this fold's documents, scans included; no seller "
        + "is in both. These are the figures that estimate documents nobody has seen.\n\n" + Evaluation.CandidateRecall(read);
}
else
{
    var model = options.RulesOnly ? FieldModel.RulesOnly : FieldModel.Shipped ?? FieldModel.RulesOnly;
    var outputs = new List<Output>();
    foreach (var document in read) outputs.Add(await Evaluation.RunAsync(document, model));
    scored = read.Select((r, i) => Scoring.Score(r, outputs[i])).ToList();
    title = options.RulesOnly ? $"`make eval EVAL_ARGS=--rules-only`: the rules alone, no field model, over {string.Join(", ", options.Samples.Select(s => $"`{Path.GetFileName(s)}`"))}." : $"`make eval`: the shipped field model over {string.Join(", ", options.Samples.Select(s => $"`{Path.GetFileName(s)}`"))} ({truth.Count} labelled documents, "
        + $"{watch.Elapsed.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s). The model was trained on these sets' text documents, so these figures "
        + "flatter it; the cross-validated ones below do not.";
}

var report = Report.Render(title, scored);
Console.WriteLine(report);
if (options.Misses) Console.WriteLine(Report.RenderMisses(scored));
if (options.Write is { } target)
{
    var (marker, heading) = options switch
    {
        { Folds: not null } => ("make eval cv", "Invoice extraction accuracy, cross-validated (`make eval CV=5`)"),
        { RulesOnly: true } => ("make eval rules", "Invoice extraction accuracy, the rules alone"),
        _ => ("make eval", "Invoice extraction accuracy (`make eval`)"),
    };
    Report.WriteSection(target, marker, heading, report);
    Console.WriteLine($"Written to {target}.");
}

return 0;

internal sealed record Options(List<string> Samples, bool Train, string? Out, int? Folds, string? Write, bool Misses, bool Fresh, string Cache, bool RulesOnly)
{
    public static Options? Parse(string[] args)
    {
        var samples = new List<string>();
        string? write = null, output = null;
        var cache = Path.Combine(".cache", "eval");
        int? folds = null;
        bool misses = false, fresh = false, rulesOnly = false, train = args.Length > 0 && args[0] == "train";
        for (var i = train ? 1 : 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples" when i + 1 < args.Length: samples.Add(Path.GetFullPath(args[++i])); break;
                case "--write" when i + 1 < args.Length: write = args[++i]; break;
                case "--out" when i + 1 < args.Length: output = args[++i]; break;
                case "--cache" when i + 1 < args.Length: cache = args[++i]; break;
                case "--cv" when i + 1 < args.Length && int.TryParse(args[i + 1], out var k) && k >= 2: folds = k; i++; break;
                case "--misses": misses = true; break;
                case "--fresh": fresh = true; break;
                case "--rules-only": rulesOnly = true; break;
                default: return null;
            }
        }

        if (samples.Count == 0 || (train && output is null)) return null;
        return new Options(samples, train, output, folds, write, misses, fresh, cache, rulesOnly);
    }
}

namespace Docket.Eval
{
    internal static class Evaluation
    {
        /// <summary>
        /// What the scorer learns from: invoice-like documents with text of their own (text PDFs, text files)
        /// or a receipt's exact transcription. Scans are left to be scored: their OCR is what a model must
        /// generalise to, and training on it would tie the shipped model to this machine's tesseract.
        /// </summary>
        public static bool IsTraining(ReadDocument document) =>
            document.Truth.IsInvoiceLike && document.Text is not null && document.Group != Truth.Ocr
            && document.Kind is not (FileKind.Csv or FileKind.Json);

        public static Dictionary<string, List<Example>> Examples(IEnumerable<ReadDocument> documents)
        {
            var examples = FieldCandidates.Fields.ToDictionary(f => f, _ => new List<Example>());
            foreach (var document in documents)
            {
                if (InvoiceFieldExtractor.Candidates(document.Text!, document.Kind) is not { } candidates) continue;
                foreach (var field in FieldCandidates.Fields)
                    if (document.Truth.Scored.Contains(field))
                        examples[field].Add(new Example(document.Truth.Seller, candidates[field], document.Truth.Values[field]));
            }

            return examples;
        }

        /// <summary>The stages after text extraction, as `docket extract` runs them, with <paramref name="model"/> choosing the fields.</summary>
        public static async Task<Output> RunAsync(ReadDocument document, FieldModel model)
        {
            if (document.Text is null) return Output.Failed(document.Error ?? "no text");
            var input = new DocumentInput(Guid.NewGuid(), Path.GetFileName(document.Truth.Path), document.Kind, 0, document.Truth.Path);
            var context = new PipelineContext(input) { Text = document.Text, EmbeddedInvoice = document.Embedded };
            IPipelineStage[] stages = [new AnalyseStage(), new CategoriseStage(), new ExtractFieldsStage(vendors: null, model)];
            foreach (var stage in stages) await stage.RunAsync(context, CancellationToken.None);
            return new Output(context.Category?.Category, context.Analysis?.Language, context.Fields?.Values ?? new Dictionary<string, ExtractedField>(), null);
        }

        /// <summary>How often a document's value is among its candidates at all: the ceiling of what ranking can reach.</summary>
        public static string CandidateRecall(IReadOnlyList<ReadDocument> read)
        {
            var text = new StringBuilder("Candidate recall (share of documents with a value whose value is among the candidates; the ceiling for ranking):\n\n");
            text.AppendLine("| set | group | " + string.Join(" | ", FieldCandidates.Fields) + " |");
            text.AppendLine("|---|---|" + string.Join("|", FieldCandidates.Fields.Select(_ => "--:")) + "|");
            foreach (var group in read.Where(r => r.Truth.IsInvoiceLike && r.Text is not null).GroupBy(r => (r.Truth.Set, r.Group)).OrderBy(g => g.Key.Set).ThenBy(g => g.Key.Group))
            {
                var cells = new List<string>();
                var candidates = group.Select(r => (r, InvoiceFieldExtractor.Candidates(r.Text!, r.Kind))).Where(p => p.Item2 is not null).ToList();
                foreach (var field in FieldCandidates.Fields)
                {
                    var withValue = candidates.Where(p => p.r.Truth.Scored.Contains(field) && p.r.Truth.Values[field].ValueKind is not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined)).ToList();
                    cells.Add(withValue.Count == 0 ? "-" : (100.0 * withValue.Count(p => p.Item2![field].Any(c => Training.Matches(field, c.Value, p.r.Truth.Values[field]))) / withValue.Count).ToString("0", CultureInfo.InvariantCulture) + "%");
                }

                text.AppendLine($"| {group.Key.Set} | {group.Key.Group} | {string.Join(" | ", cells)} |");
            }

            return text.ToString();
        }
    }
}
