using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Plain text and Markdown. Markdown stays as written: headings and tables help the later stages.</summary>
public sealed class PlainTextExtractor : ITextExtractor
{
    public bool CanExtract(FileKind kind) => kind is FileKind.Text or FileKind.Markdown;

    public ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        using var file = ExtractionProgress.OpenRead(doc.FilePath, progress);
        return ValueTask.FromResult(new ExtractedText(TextDecoding.Decode(file), [0], "native"));
    }
}

internal static class ExtractionProgress
{
    /// <summary>Below this size extraction takes milliseconds and progress events would only be noise.</summary>
    public const int LargeInputBytes = 1 << 20;

    /// <summary>
    /// Opens a text file for <see cref="TextDecoding.Decode(Stream)"/>, which reads only the part the cap
    /// keeps: a text file is never read whole into memory, however large the upload limit allows it to be.
    /// </summary>
    public static FileStream OpenRead(string path, IProgress<StageProgress> progress)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        ReportRead(progress, file.Length);
        return file;
    }

    public static void ReportRead(IProgress<StageProgress> progress, long bytes)
    {
        if (bytes >= LargeInputBytes)
            progress.Report(new StageProgress(50, $"Read {bytes / 1024:N0} KB, decoding"));
    }
}
