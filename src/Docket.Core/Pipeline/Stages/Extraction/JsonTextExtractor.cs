using System.Text;
using System.Text.Json;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Renders JSON as one "path: value" line per scalar (<c>services[0].name: user-service</c>),
/// keys as written, in document order, so a top-level "title" reads as <c>title: ...</c>.
/// </summary>
public sealed class JsonTextExtractor : ITextExtractor
{
    /// <summary>Deeper nesting is refused: no document needs it, and it is a classic way to exhaust a parser.</summary>
    public const int MaxDepth = 64;

    public bool CanExtract(FileKind kind) => kind == FileKind.Json;

    public ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        using var file = ExtractionProgress.OpenRead(doc, progress);
        var json = TextDecoding.Decode(file, out var truncated);
        // Cut JSON does not parse, and the parser's complaint about the cut would mislead.
        if (truncated)
            throw new UnprocessableDocumentException(
                $"The JSON is longer than {TextDecoding.MaxCharacters:N0} characters, the most a document is read to; JSON cannot be read in part.");
        return ValueTask.FromResult(new ExtractedText(Render(json), [0], "native"));
    }

    public static string Render(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                MaxDepth = MaxDepth,
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException ex)
        {
            throw new UnprocessableDocumentException(Describe(ex), ex);
        }

        using (document)
        {
            var output = new StringBuilder(json.Length);
            var path = new StringBuilder();
            Append(document.RootElement, path, output);
            return TextDecoding.Truncate(output.ToString());
        }
    }

    private static string Describe(JsonException ex)
    {
        var where = ex.LineNumber is { } line
            ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}"
            : "";
        var reason = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
            ? $"it is nested deeper than {MaxDepth} levels"
            : FirstSentence(ex.Message);
        return $"The JSON file is not valid{where}: {reason}.";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).TrimEnd('.');
    }

    private static void Append(JsonElement element, StringBuilder path, StringBuilder output)
    {
        if (output.Length > TextDecoding.MaxCharacters) return;

        var mark = path.Length;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (path.Length > 0) path.Append('.');
                    path.Append(property.Name);
                    Append(property.Value, path, output);
                    path.Length = mark;
                }
                break;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    path.Append('[').Append(index++).Append(']');
                    Append(item, path, output);
                    path.Length = mark;
                }
                break;

            default:
                if (path.Length > 0) output.Append(path).Append(": ");
                var value = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                foreach (var c in value) output.Append(c is '\n' or '\r' or '\t' ? ' ' : c);
                output.Append('\n');
                break;
        }
    }
}
