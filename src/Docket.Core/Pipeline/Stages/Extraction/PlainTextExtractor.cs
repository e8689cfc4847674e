using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Plain text and Markdown. Markdown stays as written: headings and tables help the later stages.</summary>
public sealed class PlainTextExtractor : ITextExtractor
{
    public bool CanExtract(FileKind kind) => kind is FileKind.Text or FileKind.Markdown;

    public ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        using var file = ExtractionProgress.OpenRead(doc, progress);
        return ValueTask.FromResult(new ExtractedText(TextDecoding.Decode(file), [0], "native"));
    }
}

internal static class ExtractionProgress
{
    /// <summary>Below this size extraction takes milliseconds and progress events would only be noise.</summary>
    public const int LargeInputBytes = 1 << 20;

    /// <summary>
    /// Opens a text document for <see cref="TextDecoding.Decode(Stream)"/>, which reads only the part the cap
    /// keeps: a text file is never read whole into memory, however large the upload limit allows it to be.
    /// A small one stored in the database is already in memory.
    /// </summary>
    public static Stream OpenRead(DocumentInput doc, IProgress<StageProgress> progress)
    {
        if (doc.Content is { } content) return new MemoryStream(content, writable: false);
        var file = new FileStream(doc.FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        ReportRead(progress, file.Length);
        return file;
    }

    public static void ReportRead(IProgress<StageProgress> progress, long bytes)
    {
        if (bytes >= LargeInputBytes)
            progress.Report(new StageProgress(50, $"Read {bytes / 1024:N0} KB, decoding"));
    }
}
