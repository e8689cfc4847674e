using System.Text.Json;
using System.Text.Json.Serialization;

namespace Docket.Core.Pipeline.Stages.Fields.Ranking;

/// <summary>
/// One boosted regression tree as FastTree trains it: node i sends a value at most
/// <see cref="Thresholds"/>[i] of feature <see cref="Features"/>[i] to <see cref="Left"/>[i], others to
/// <see cref="Right"/>[i]; a negative child ~k is leaf k.
/// </summary>
public sealed record RegressionTree(int[] Features, float[] Thresholds, int[] Left, int[] Right, float[] Leaves)
{
    public double Evaluate(ReadOnlySpan<float> features)
    {
        if (Features.Length == 0) return Leaves[0];
        var node = 0;
        while (true)
        {
            var next = features[Features[node]] <= Thresholds[node] ? Left[node] : Right[node];
            if (next < 0) return Leaves[~next];
            node = next;
        }
    }
}

/// <summary>
/// How likely a value is right, by its score: points (score, share right) as the trainer measured them on
/// documents held out of training (isotonic, so a higher score never means a lower probability), joined by
/// straight lines and flat beyond the first and the last, so that a confidence a failed check lowered stays lower.
/// </summary>
public sealed record Calibration(double[] Scores, double[] Probabilities)
{
    public double Probability(double score)
    {
        if (Scores.Length == 0) return 0.5;
        if (score <= Scores[0]) return Probabilities[0];
        for (var i = 1; i < Scores.Length; i++)
        {
            if (score > Scores[i]) continue;
            var share = (score - Scores[i - 1]) / (Scores[i] - Scores[i - 1]);
            return Probabilities[i - 1] + share * (Probabilities[i] - Probabilities[i - 1]);
        }

        return Probabilities[^1];
    }
}

/// <summary>
/// A field's scorer: the trees' summed output ranks its candidates; the best is taken when its
/// calibrated probability reaches <see cref="Threshold"/> (below it the document most likely has no such
/// value, or the right one is not among the candidates), and that probability is its confidence.
/// </summary>
public sealed record FieldScorer(string[] FeatureNames, RegressionTree[] Trees, Calibration Calibration, double Threshold)
{
    public double Score(ReadOnlySpan<float> features)
    {
        var sum = 0.0;
        foreach (var tree in Trees) sum += tree.Evaluate(features);
        return sum;
    }
}

/// <summary>
/// The learned scorers of <see cref="FieldCandidates.Fields"/>, as `make train` writes them
/// (field-model.json beside this file, embedded in the assembly). Trees are kept as plain arrays and
/// evaluated here, so Docket loads no machine-learning runtime to use them; the trainer (tools/Docket.Eval)
/// uses ML.NET's FastTree.
/// </summary>
public sealed class FieldModel
{
    public const string ResourceName = "Docket.Core.Pipeline.Stages.Fields.Ranking.field-model.json";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public IReadOnlyDictionary<string, FieldScorer> Fields { get; }

    /// <summary>
    /// For the fields the rules still read: their confidence as the rules give it, mapped to the share
    /// right at that confidence on documents held out of training, so every field's confidence means the same.
    /// </summary>
    public IReadOnlyDictionary<string, Calibration> RuleCalibrations { get; }

    public FieldModel(IReadOnlyDictionary<string, FieldScorer> fields, IReadOnlyDictionary<string, Calibration>? ruleCalibrations = null)
    {
        RuleCalibrations = ruleCalibrations ?? new Dictionary<string, Calibration>();
        foreach (var (field, scorer) in fields)
        {
            var expected = FieldCandidates.FeatureNames(FieldCandidates.KindOf(field));
            if (!scorer.FeatureNames.SequenceEqual(expected))
                throw new InvalidDataException(
                    $"The {field} scorer was trained on other features than Docket computes; rebuild the model with `make train`.");
        }

        Fields = fields;
    }

    private static readonly Lazy<FieldModel?> ShippedModel = new(() =>
    {
        using var stream = typeof(FieldModel).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Read(stream);
    });

    /// <summary>No scorer: the rules' values as they read them.</summary>
    public static FieldModel RulesOnly { get; } = new(new Dictionary<string, FieldScorer>());

    /// <summary>The model built into Docket, or null in a build without one (the rules alone then).</summary>
    public static FieldModel? Shipped => ShippedModel.Value;

    private sealed record Stored(Dictionary<string, FieldScorer> Scorers, Dictionary<string, Calibration> RuleCalibrations);

    public static FieldModel Read(Stream json) =>
        JsonSerializer.Deserialize<Stored>(json, Json) is { Scorers: not null } stored
            ? new FieldModel(stored.Scorers, stored.RuleCalibrations)
            : throw new InvalidDataException("The field model is empty.");

    public string Write() => JsonSerializer.Serialize(
        new Stored(
            Fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary(),
            RuleCalibrations.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary()),
        Json);

    /// <summary>The best candidate of a field by its score, and its calibrated probability; null when there is none.</summary>
    public static (FieldCandidate Candidate, double Score, double Probability)? Best(FieldScorer scorer, IReadOnlyList<FieldCandidate> candidates)
    {
        FieldCandidate? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            var score = scorer.Score(candidate.Features);
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }

        return best is null ? null : (best, bestScore, scorer.Calibration.Probability(bestScore));
    }
}
