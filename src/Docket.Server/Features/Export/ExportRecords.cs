using System.Globalization;
using System.Text;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Data;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Documents;
using Docket.Server.Features.Duplicates;

namespace Docket.Server.Features.Export;

/// <summary>A finalised document as exported: the machine output with the reviewer's edits applied.</summary>
/// <param name="DuplicateOf">The owner's other documents that hold the same invoice, oldest first; empty when none.</param>
public sealed record ExportRecord(
    Guid DocumentId,
    string Filename,
    string FileType,
    long SizeBytes,
    string Sha256,
    string Status,
    string? Title,
    string? Category,
    string? Language,
    string? Summary,
    IReadOnlyList<string> Keywords,
    IReadOnlyDictionary<string, object?> Fields,
    IReadOnlyList<LineItem> LineItems,
    IReadOnlyList<string> Warnings,
    bool Reviewed,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset? FinalizedAt,
    IReadOnlyList<Guid> DuplicateOf)
{
    public static ExportRecord From(Document document, ResultVersion? result, IReadOnlyList<DuplicateView>? duplicates)
    {
        var review = ReviewEdits.Parse(document.Review);
        var view = result is null ? null : DocumentViews.Result(result, review);
        var fields = new Dictionary<string, object?>();
        foreach (var name in FieldNames.All)
        {
            var value = view?.Fields.GetValueOrDefault(name)?.Value;
            fields[name] = name is FieldNames.Net or FieldNames.Tax or FieldNames.Total
                && decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
                    ? amount
                    : value;
        }
        return new ExportRecord(document.Id, document.Filename, document.FileType, document.SizeBytes, document.Sha256,
            Wire.Name(document.Status), view?.Title ?? document.Title, view?.Category ?? document.Category,
            view?.Data.Language, view?.Data.Summary, view?.Data.Keywords ?? [], fields, view?.Data.LineItems ?? [],
            view?.Data.Warnings ?? [], review is not null, document.ProcessedAt, document.FinalizedAt,
            duplicates?.Select(d => d.DocumentId).ToList() ?? []);
    }
}

public static class ExportFormats
{
    public const string Json = "json";
    public const string Csv = "csv";

    public static bool IsKnown(string? format) => format is Json or Csv;

    public static string MediaType(string format) => format == Json ? "application/json" : "text/csv; charset=utf-8";

    private static readonly string[] CsvColumns =
    [
        "document_id", "filename", "file_type", "size_bytes", "sha256", "status", "title", "category", "language", "summary",
        "keywords", .. FieldNames.All, "reviewed", "processed_at", "finalized_at", "duplicate_of",
    ];

    public static async Task WriteAsync(string format, IAsyncEnumerable<ExportRecord> records, Stream output, CancellationToken cancellationToken)
    {
        if (format == Json) await WriteJsonAsync(records, output, cancellationToken);
        else await WriteCsvAsync(records, output, cancellationToken);
    }

    private static async Task WriteJsonAsync(IAsyncEnumerable<ExportRecord> records, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartArray();
        await foreach (var record in records.WithCancellation(cancellationToken))
        {
            JsonSerializer.Serialize(writer, record, ApiJson.Options);
            if (writer.BytesPending > 64 * 1024) await writer.FlushAsync(cancellationToken);
        }
        writer.WriteEndArray();
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<ExportRecord> records, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024, leaveOpen: true)
        {
            NewLine = "\r\n",
        };
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        await foreach (var r in records.WithCancellation(cancellationToken))
        {
            string?[] cells =
            [
                r.DocumentId.ToString(), r.Filename, r.FileType, r.SizeBytes.ToString(CultureInfo.InvariantCulture), r.Sha256, r.Status,
                r.Title, r.Category, r.Language, r.Summary, string.Join("; ", r.Keywords),
                .. FieldNames.All.Select(name => Format(r.Fields[name])),
                r.Reviewed ? "true" : "false", r.ProcessedAt?.ToString("O"), r.FinalizedAt?.ToString("O"),
                string.Join("; ", r.DuplicateOf),
            ];
            await writer.WriteLineAsync(string.Join(',', cells.Select(CsvCells.Escape)));
        }
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        decimal amount => amount.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

public static class CsvCells
{
    /// <summary>
    /// One CSV cell, quoted per RFC 4180. A text that a spreadsheet would run as a formula
    /// (starting with = + - @, tab or carriage return) is prefixed with an apostrophe, so opening an
    /// export never executes what someone wrote into a document; plain numbers such as -12.50 stay numbers.
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(value))
            value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' '
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
    }

    private static bool IsPlainNumber(string value) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);
}
