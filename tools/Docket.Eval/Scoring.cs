using System.Globalization;
using System.Text.Json;

namespace Docket.Eval;

internal sealed record Miss(string Field, string Expected, string Got);

internal sealed record Scored(TruthDocument Document, bool Failed, bool CategoryRight, bool LanguageRight,
    IReadOnlyDictionary<string, bool> FieldRight, IReadOnlyList<Miss> Misses)
{
    public bool AllFieldsRight => FieldRight.Values.All(right => right);
}

/// <summary>
/// Amounts are equal within 0.005, strings exactly after trimming, and a null must meet a null:
/// a value where the document has none is as wrong as a value missed.
/// </summary>
internal static class Scoring
{
    public const decimal AmountTolerance = 0.005m;

    public static Scored Score(TruthDocument truth, JsonElement? output)
    {
        var failed = output is not { } o || o.TryGetProperty("error", out _);
        var fields = output is { } found && found.TryGetProperty("fields", out var f) ? f : (JsonElement?)null;
        var misses = new List<Miss>();
        var right = new Dictionary<string, bool>();
        foreach (var name in Truth.Fields)
        {
            var expected = truth.Values[name];
            var got = fields is { } values && values.TryGetProperty(name, out var v) ? v : default;
            var ok = Truth.AmountFields.Contains(name) ? AmountsEqual(expected, got) : StringsEqual(expected, got);
            right[name] = ok;
            if (!ok) misses.Add(new Miss(name, Show(expected), Show(got)));
        }

        var category = output is { } c && c.TryGetProperty("category", out var cat) ? cat.GetString() : null;
        var language = output is { } l && l.TryGetProperty("language", out var lang) && lang.ValueKind == JsonValueKind.String ? lang.GetString() : null;
        if (category != truth.Category) misses.Add(new Miss("category", truth.Category, category ?? "null"));
        if (language != truth.Language) misses.Add(new Miss("language", truth.Language ?? "null", language ?? "null"));
        if (failed) misses.Add(new Miss("error", "", output is { } e && e.TryGetProperty("error", out var error) ? error.GetString() ?? "" : "no output"));
        return new Scored(truth, failed, category == truth.Category, language == truth.Language, right, misses);
    }

    private static bool IsNull(JsonElement value) => value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null;

    public static bool AmountsEqual(JsonElement expected, JsonElement got)
    {
        if (IsNull(expected) || IsNull(got)) return IsNull(expected) && IsNull(got);
        return ToDecimal(expected) is { } a && ToDecimal(got) is { } b && Math.Abs(a - b) <= AmountTolerance;
    }

    public static bool StringsEqual(JsonElement expected, JsonElement got)
    {
        if (IsNull(expected) || IsNull(got)) return IsNull(expected) && IsNull(got);
        return string.Equals(Text(expected).Trim(), Text(got).Trim(), StringComparison.Ordinal);
    }

    private static decimal? ToDecimal(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetDecimal(),
        JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    private static string Show(JsonElement value) => IsNull(value) ? "null" : Text(value);
}
