using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Server.Api;

namespace Docket.Server.Processing;

public sealed record ResultCounts(int Pages, int Words, int Lines, int Characters);

public sealed record ResultCategory(string Name, double Confidence, string Method);

public sealed record ResultExtraction(string Method, IReadOnlyList<int> PageStarts);

/// <summary>The machine output of one processing run, as stored (document_results.data) and served.</summary>
/// <param name="FieldsMethod">Where the fields came from: "text", "embedded_cii", "embedded_ubl", or "none" when no
/// fields were looked for. Null in results stored before it was recorded.</param>
public sealed record ResultData(
    string? Title,
    string Summary,
    IReadOnlyList<string> Keywords,
    string? Language,
    ResultCounts Counts,
    ResultCategory Category,
    IReadOnlyDictionary<string, ExtractedField> Fields,
    IReadOnlyList<LineItem> LineItems,
    IReadOnlyList<string> Warnings,
    ResultExtraction Extraction,
    string? FieldsMethod = null)
{
    public static ResultData From(DocumentResult result) => new(
        result.Analysis.Title,
        result.Analysis.Summary,
        result.Analysis.Keywords,
        result.Analysis.Language,
        new ResultCounts(result.Analysis.Pages, result.Analysis.Words, result.Analysis.Lines, result.Analysis.Characters),
        new ResultCategory(result.Category.Category, result.Category.Confidence, result.Category.Method),
        result.Fields.Values,
        result.Fields.LineItems,
        result.Fields.Warnings,
        new ResultExtraction(result.Text.Method, result.Text.PageStarts),
        result.Fields.Method);

    public string ToJson() => JsonSerializer.Serialize(this, ApiJson.Options);

    public static ResultData Parse(string json) =>
        JsonSerializer.Deserialize<ResultData>(json, ApiJson.Options) ?? throw new JsonException("A stored result was null.");
}
