using System.Globalization;
using System.Text.Json;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using DocketTree = Docket.Core.Pipeline.Stages.Fields.Ranking.RegressionTree;

namespace Docket.Eval;

/// <summary>One document's candidates for one field, and the value the document has (null: none).</summary>
internal sealed record Example(string Seller, IReadOnlyList<FieldCandidate> Candidates, JsonElement Truth);

/// <summary>
/// Trains the field scorers with ML.NET's FastTree (LambdaRank: which of a document's candidates is the field's value?) and
/// exports each as plain trees for <see cref="FieldModel"/>. Seeded and single-threaded, so the same
/// examples give the same model, byte for byte. Each scorer's calibration and threshold come from
/// documents held out of its training (an inner cross-validation by seller), never from the documents
/// it learned from: a tree ensemble is sure of what it has seen.
/// </summary>
internal static class Training
{
    public const int Seed = 20261207;

    /// <summary>Inner folds for calibration.</summary>
    private const int CalibrationFolds = 4;

    public static FieldModel Train(IReadOnlyDictionary<string, List<Example>> examples)
    {
        var scorers = new Dictionary<string, FieldScorer>();
        foreach (var field in FieldCandidates.Fields)
            if (examples.TryGetValue(field, out var forField) && forField.Any(e => e.Candidates.Count > 0))
                scorers[field] = TrainField(field, forField);
        return new FieldModel(scorers);
    }

    /// <summary>
    /// The scorers, and the calibration of the confidence the rules give the fields they still read, from
    /// how often the rules were right at each confidence on these documents (the scorers choosing theirs).
    /// </summary>
    public static FieldModel TrainAll(IReadOnlyList<ReadDocument> documents)
    {
        var ranked = Train(Evaluation.Examples(documents));
        var points = new Dictionary<string, List<(double Score, bool Right)>>();
        foreach (var document in documents)
        {
            var fields = InvoiceFieldExtractor.Extract(document.Text!, document.Truth.Category, document.Kind, vendors: null, ranked).Values;
            foreach (var field in document.Truth.Scored.Where(f => !FieldCandidates.Fields.Contains(f)))
            {
                if (!fields.TryGetValue(field, out var value)) continue;
                var right = Truth.AmountFields.Contains(field)
                    ? Scoring.AmountsEqual(document.Truth.Values[field], value.Value)
                    : Scoring.StringsEqual(document.Truth.Values[field], value.Value);
                if (!points.TryGetValue(field, out var list)) points[field] = list = [];
                list.Add((value.Confidence, right));
            }
        }

        return new FieldModel(ranked.Fields, points.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => FromNothing(Isotonic(p.Value))));
    }

    /// <summary>A rule's confidence of 0 claims nothing: the line from there keeps a lowered confidence below an unlowered one.</summary>
    private static Calibration FromNothing(Calibration calibration) =>
        calibration.Scores is [> 0, ..] ? new Calibration([0, .. calibration.Scores], [0, .. calibration.Probabilities]) : calibration;

    public static bool Matches(string field, string candidate, JsonElement truth)
    {
        if (truth.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return false;
        if (Truth.AmountFields.Contains(field))
            return decimal.TryParse(candidate, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var c)
                   && Scoring.ToDecimal(truth) is { } t && Math.Abs(Math.Abs(c) - Math.Abs(t)) <= Scoring.AmountTolerance;
        return string.Equals(candidate.Trim(), Scoring.Text(truth).Trim(), StringComparison.Ordinal);
    }

    private static FieldScorer TrainField(string field, List<Example> examples)
    {
        var names = FieldCandidates.FeatureNames(FieldCandidates.KindOf(field)).ToArray();
        var folds = Folds.Assign(examples.Select(e => e.Seller).ToList(), CalibrationFolds, Seed);
        var heldOut = new List<(double Score, bool Right, bool NoValue)>();
        for (var fold = 0; fold < CalibrationFolds; fold++)
        {
            var training = examples.Where((_, i) => folds[i] != fold).ToList();
            if (!training.Any(e => e.Candidates.Any(c => Matches(field, c.Value, e.Truth)))) continue;
            var trees = Fit(field, training, names.Length);
            var scorer = new FieldScorer(names, trees, new Calibration([], []), 0);
            for (var i = 0; i < examples.Count; i++)
            {
                if (folds[i] != fold || FieldModel.Best(scorer, examples[i].Candidates) is not { } best) continue;
                heldOut.Add((best.Score, Matches(field, best.Candidate.Value, examples[i].Truth), IsNull(examples[i].Truth)));
            }
        }

        var calibration = Isotonic(heldOut.Select(h => (h.Score, h.Right)).ToList());
        var threshold = BestThreshold(heldOut.Select(h => (calibration.Probability(h.Score), h.Right, h.NoValue)).ToList());
        return new FieldScorer(names, Fit(field, examples, names.Length), calibration, threshold);
    }

    private static bool IsNull(JsonElement value) => value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    internal sealed class Row
    {
        public float Label { get; set; }

        public uint GroupId { get; set; }

        public float[] Features { get; set; } = [];
    }

    private static DocketTree[] Fit(string field, List<Example> examples, int featureCount) => FitWithMLNet(field, examples, featureCount).Trees;

    /// <summary>The exported trees and, for the test that they score as ML.NET does, the trained model itself.</summary>
    internal static (DocketTree[] Trees, ITransformer? Model, double Bias) FitWithMLNet(string field, List<Example> examples, int featureCount)
    {
        var rows = new List<Row>();
        uint group = 0;
        foreach (var example in examples)
        {
            // A document without its value among the candidates teaches a ranking nothing.
            if (!example.Candidates.Any(c => Matches(field, c.Value, example.Truth))) continue;
            group++;
            foreach (var candidate in example.Candidates)
                rows.Add(new Row { Label = Matches(field, candidate.Value, example.Truth) ? 1 : 0, GroupId = group, Features = candidate.Features });
        }

        if (group < 2) return ([], null, 0);

        var ml = new MLContext(Seed);
        var data = ml.Data.LoadFromEnumerable(rows, Schema(featureCount, group));
        var trainer = ml.Ranking.Trainers.FastTree(new FastTreeRankingTrainer.Options
        {
            NumberOfTrees = Trees,
            NumberOfLeaves = Leaves,
            MinimumExampleCountPerLeaf = MinimumPerLeaf,
            LearningRate = 0.1,
            NumberOfThreads = 1,
            FeatureFraction = 1,
        });
        var model = trainer.Fit(data);
        var ensemble = model.Model.TrainedTreeEnsemble;
        return (ensemble.Trees.Select((tree, t) => Export(tree, ensemble.TreeWeights[t])).ToArray(), model, ensemble.Bias);
    }

    // Chosen by cross-validation among four settings (100x12 leaves, 100x8, 200x8, 60x16; docs/benchmarks.md):
    // small trees, many of them, generalised best on the receipts' transcriptions and the rendered issuers.
    private const int Trees = 200, Leaves = 8, MinimumPerLeaf = 10;

    /// <summary>Candidates as ML.NET reads them: one group (a document's candidates for the field) per key.</summary>
    internal static SchemaDefinition Schema(int featureCount, uint groups)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
        schema[nameof(Row.GroupId)].ColumnType = new KeyDataViewType(typeof(uint), groups + 1);
        return schema;
    }

    /// <summary>Numerical splits only: every feature is a number, so FastTree makes no categorical split.</summary>
    private static DocketTree Export(Microsoft.ML.Trainers.FastTree.RegressionTree tree, double weight) =>
        new([.. tree.NumericalSplitFeatureIndexes], [.. tree.NumericalSplitThresholds], [.. tree.LeftChild], [.. tree.RightChild],
            [.. tree.LeafValues.Select(v => (float)(v * weight))]);

    /// <summary>Pool-adjacent-violators over the held-out top candidates, sorted by score: the share right never falls as the score rises.</summary>
    public static Calibration Isotonic(List<(double Score, bool Right)> points)
    {
        if (points.Count == 0) return new Calibration([], []);
        var sorted = points.OrderBy(p => p.Score).ToList();
        var blocks = new List<(double Upper, double Sum, int Count)>();
        foreach (var (score, right) in sorted)
        {
            blocks.Add((score, right ? 1 : 0, 1));
            while (blocks.Count > 1 && blocks[^2].Sum / blocks[^2].Count >= blocks[^1].Sum / blocks[^1].Count)
            {
                var (upper, sum, count) = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                blocks[^1] = (upper, blocks[^1].Sum + sum, blocks[^1].Count + count);
            }
        }

        // A probability of exactly 0 or 1 from a handful of documents claims more than they show.
        return new Calibration(
            [.. blocks.Select(b => Math.Round(b.Upper, 6))],
            [.. blocks.Select(b => Math.Round((b.Sum + 0.5) / (b.Count + 1), 4))]);
    }

    /// <summary>The probability below which leaving the field empty is right more often than the best candidate.</summary>
    private static double BestThreshold(List<(double Probability, bool Right, bool NoValue)> heldOut)
    {
        var best = (Threshold: 0.0, Correct: -1);
        for (var step = 0; step <= 19; step++)
        {
            var threshold = step * 0.05;
            var correct = heldOut.Count(h => h.Probability >= threshold ? h.Right : h.NoValue);
            if (correct > best.Correct) best = (threshold, correct);
        }

        return Math.Round(best.Threshold, 2);
    }
}

internal static class Folds
{
    /// <summary>Each item's fold: one seller's items in one fold, the sellers shuffled by a fixed seed.</summary>
    public static int[] Assign(IReadOnlyList<string> sellers, int folds, int seed)
    {
        var distinct = sellers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(distinct);
        var foldOf = distinct.Select((seller, i) => (seller, i % folds)).ToDictionary(p => p.seller, p => p.Item2, StringComparer.Ordinal);
        return sellers.Select(s => foldOf[s]).ToArray();
    }
}
