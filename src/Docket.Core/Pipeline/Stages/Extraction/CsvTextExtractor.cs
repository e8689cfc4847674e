using System.Text;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Renders a CSV file as readable text: the header line, then one line per row, cells joined
/// by " | ". Line breaks inside cells become spaces so that one line is always one row.
/// </summary>
public sealed class CsvTextExtractor : ITextExtractor
{
    public const string CellSeparator = " | ";

    private const int RowsBetweenProgressReports = 50_000;

    public bool CanExtract(FileKind kind) => kind == FileKind.Csv;

    public ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        using var file = ExtractionProgress.OpenRead(doc, progress);
        // The rendered text is cut at the same cap as the source, so the rows past it are never needed.
        var source = TextDecoding.Decode(file);
        var large = file.Length >= ExtractionProgress.LargeInputBytes;
        return ValueTask.FromResult(new ExtractedText(Render(source, large ? progress : null, ct), [0], "native"));
    }

    public static string Render(string csv, IProgress<StageProgress>? progress = null, CancellationToken ct = default)
    {
        var delimiter = CsvReader.SniffDelimiter(csv);
        var output = new StringBuilder(csv.Length + csv.Length / 4);
        var position = 0;
        var rows = 0;
        foreach (var record in CsvReader.ReadRecords(csv, delimiter, p => position = p))
        {
            for (var i = 0; i < record.Count; i++)
            {
                if (i > 0) output.Append(CellSeparator);
                AppendOnOneLine(output, record[i].AsSpan().Trim());
            }

            output.Append('\n');
            if (output.Length > TextDecoding.MaxCharacters) break;

            if (++rows % RowsBetweenProgressReports == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress?.Report(new StageProgress(50 + (int)(50L * position / Math.Max(1, csv.Length)), $"Read {rows:N0} rows"));
            }
        }

        return TextDecoding.Truncate(output.ToString());
    }

    private static void AppendOnOneLine(StringBuilder output, ReadOnlySpan<char> cell)
    {
        foreach (var c in cell)
            output.Append(c is '\n' or '\t' ? ' ' : c);
    }
}
