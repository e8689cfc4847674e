using System.Globalization;
using System.Text.Json;
using Docket.Core.Pipeline;

namespace Docket.Eval;

/// <summary>What Docket made of one document: what `docket extract` prints for it.</summary>
internal sealed record Output(string? Category, string? Language, IReadOnlyDictionary<string, ExtractedField> Fields, string? Error)
{
    public static Output Failed(string error) => new(null, null, new Dictionary<string, ExtractedField>(), error);
}

internal sealed record Miss(string Field, string Expected, string Got);

/// <param name="FieldRight">The fields the document's set labels, and whether each came out right.</param>
internal sealed record Scored(ReadDocument Document, Output Output, bool CategoryRight, bool LanguageRight,
    IReadOnlyDictionary<string, bool> FieldRight, IReadOnlyList<Miss> Misses)
{
    public TruthDocument Truth => Document.Truth;

    public bool AllFieldsRight => FieldRight.Values.All(right => right);
}

/// <summary>
/// Amounts are equal within 0.005, strings exactly after trimming, and a null must meet a null:
/// a value where the document has none is as wrong as a value missed.
/// </summary>
internal static class Scoring
{
    public const decimal AmountTolerance = 0.005m;

    public static Scored Score(ReadDocument document, Output output)
    {
        var truth = document.Truth;
        var misses = new List<Miss>();
        var right = new Dictionary<string, bool>();
        foreach (var name in truth.Scored)
        {
            var expected = truth.Values[name];
            var got = output.Fields.GetValueOrDefault(name)?.Value;
            var ok = Truth.AmountFields.Contains(name) ? AmountsEqual(expected, got) : StringsEqual(expected, got);
            right[name] = ok;
            if (!ok) misses.Add(new Miss(name, Show(expected), got ?? "null"));
        }

        if (output.Category != truth.Category) misses.Add(new Miss("category", truth.Category, output.Category ?? "null"));
        if (output.Language != truth.Language) misses.Add(new Miss("language", truth.Language ?? "null", output.Language ?? "null"));
        if (output.Error is { } error) misses.Add(new Miss("error", "", error));
        return new Scored(document, output, output.Category == truth.Category, output.Language == truth.Language, right, misses);
    }

    private static bool IsNull(JsonElement value) => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    public static bool AmountsEqual(JsonElement expected, string? got)
    {
        if (IsNull(expected) || got is null) return IsNull(expected) && got is null;
        return ToDecimal(expected) is { } a
               && decimal.TryParse(got, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var b)
               && Math.Abs(a - b) <= AmountTolerance;
    }

    public static bool StringsEqual(JsonElement expected, string? got)
    {
        if (IsNull(expected) || got is null) return IsNull(expected) && got is null;
        return string.Equals(Text(expected).Trim(), got.Trim(), StringComparison.Ordinal);
    }

    public static decimal? ToDecimal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDecimal(),
        JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    public static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Show(JsonElement value) => IsNull(value) ? "null" : Text(value);
}
