using System.Text.Json;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Docket.Eval.Tests;

public sealed class TrainingTests
{
    private static string RepoRoot { get; } = FindRepoRoot();

    private static string Samples(string set) => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "samples", set));

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Docket.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Docket.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Every set read once, afresh, as `make train` reads it (no scans); the tests share it.</summary>
    private static readonly Lazy<Task<List<ReadDocument>>> TrainingDocuments = new(async () =>
    {
        var cache = Directory.CreateTempSubdirectory("docket-eval-test-");
        try
        {
            var truth = ((string[])["invoices", "receipts", "rendered"]).SelectMany(set => Truth.Load(Samples(set))).ToList();
            var read = await new Corpus(cache.FullName, fresh: true).ReadAsync(truth, includeOcr: false, Environment.ProcessorCount, CancellationToken.None);
            return read.Where(Evaluation.IsTraining).ToList();
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    });

    private static async Task<List<ReadDocument>> ReadForTrainingAsync(params string[] sets) =>
        (await TrainingDocuments.Value).Where(d => sets.Contains(d.Truth.Set)).ToList();

    /// <summary>The model Docket ships is what `make train` builds from the development sets today, byte for byte.</summary>
    [Fact]
    public async Task TheShippedModel_IsWhatMakeTrainBuilds()
    {
        var read = await ReadForTrainingAsync("invoices", "receipts", "rendered");

        var trained = Training.TrainAll(read).Write() + "\n";

        var shipped = await File.ReadAllTextAsync(Path.Combine(RepoRoot, "src", "Docket.Core", "Pipeline", "Stages", "Fields", "Ranking", "field-model.json"));
        Assert.True(shipped == trained, "src/Docket.Core/Pipeline/Stages/Fields/Ranking/field-model.json is not what `make train` builds; run `make train`.");
    }

    [Fact]
    public async Task Training_IsDeterministic()
    {
        var read = await ReadForTrainingAsync("invoices");
        var examples = Evaluation.Examples(read);

        Assert.Equal(Training.Train(examples).Write(), Training.Train(examples).Write());
    }

    [Fact]
    public async Task TheExportedTrees_ScoreEveryCandidateAsMLNetDoes()
    {
        var read = await ReadForTrainingAsync("invoices");
        var examples = Evaluation.Examples(read)["total"];
        var names = FieldCandidates.FeatureNames(FieldCandidates.Kind.Amount);

        var (trees, model, bias) = Training.FitWithMLNet("total", examples, names.Count);

        Assert.NotNull(model);
        var scorer = new FieldScorer([.. names], trees, new Calibration([], []), 0);
        var candidates = examples.SelectMany(e => e.Candidates).ToList();
        var ml = new MLContext(Training.Seed);
        var data = ml.Data.LoadFromEnumerable(candidates.Select(c => new Training.Row { GroupId = 1, Features = c.Features }), Training.Schema(names.Count, 1));
        var scores = model.Transform(data).GetColumn<float>("Score").ToList();
        for (var i = 0; i < candidates.Count; i++)
            Assert.Equal(scores[i], scorer.Score(candidates[i].Features) + bias, 3);
    }

    [Fact]
    public void Isotonic_NeverGivesAHigherScoreALowerProbability()
    {
        var points = new List<(double, bool)> { (-2, false), (-1, true), (-0.5, false), (0, false), (1, true), (1.5, true), (2, false), (3, true), (4, true) };

        var calibration = Training.Isotonic(points);

        var probabilities = new[] { -3.0, -1, 0, 1, 2, 3, 5 }.Select(calibration.Probability).ToList();
        Assert.Equal(probabilities.Order(), probabilities);
        Assert.True(probabilities[0] < 0.5 && probabilities[^1] > 0.5);
        Assert.All(probabilities, p => Assert.InRange(p, 0.01, 0.99));
    }

    [Fact]
    public void Folds_KeepOneSellersDocumentsTogether_AndUseEveryFold()
    {
        var sellers = Enumerable.Range(0, 60).Select(i => $"seller {i % 17}").ToList();

        var folds = Folds.Assign(sellers, 5, Training.Seed);

        foreach (var group in sellers.Select((s, i) => (s, folds[i])).GroupBy(p => p.s))
            Assert.Single(group.Select(p => p.Item2).Distinct());
        Assert.Equal(5, folds.Distinct().Count());
        Assert.Equal(folds, Folds.Assign(sellers, 5, Training.Seed));
    }

    [Fact]
    public void Matching_ComparesAmountsBySizeAndTextExactly()
    {
        using var json = JsonDocument.Parse("""{"total": -120.5, "issuer": "Acme Ltd"}""");
        var total = json.RootElement.GetProperty("total");
        var issuer = json.RootElement.GetProperty("issuer");

        Assert.True(Training.Matches("total", "120.50", total));
        Assert.False(Training.Matches("total", "120.51", total));
        Assert.True(Training.Matches("issuer", "Acme Ltd", issuer));
        Assert.False(Training.Matches("issuer", "ACME LTD", issuer));
        Assert.False(Training.Matches("issuer", "Acme Ltd", default));
    }

    [Fact]
    public void AReceiptSet_IsScoredOnTheFieldsItLabels_AndItsTranscriptionIsLaidOutAsOcr()
    {
        var receipts = Truth.Load(Samples("receipts"));

        Assert.All(receipts, r => Assert.Equal(["issuer", "date", "total"], r.Scored));
        var first = receipts.First(r => r.GoldOcr is not null);
        var text = Corpus.GoldText(first.GoldOcr!);
        var firstLine = File.ReadLines(first.GoldOcr!).First().Split(',', 9)[8].Trim();
        Assert.All(firstLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), word => Assert.Contains(word, text.Content));
        Assert.StartsWith("ocr", text.Method);
    }
}
