using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Plain text and Markdown. Markdown stays as written: headings and tables help the later stages.</summary>
public sealed class PlainTextExtractor : ITextExtractor
{
    public bool CanExtract(FileKind kind) => kind is FileKind.Text or FileKind.Markdown;

    public async ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(doc.FilePath, ct);
        ExtractionProgress.ReportRead(progress, bytes.Length);
        return new ExtractedText(TextDecoding.Decode(bytes), [0], "native");
    }
}

internal static class ExtractionProgress
{
    /// <summary>Below this size extraction takes milliseconds and progress events would only be noise.</summary>
    public const int LargeInputBytes = 1 << 20;

    public static void ReportRead(IProgress<StageProgress> progress, long bytes)
    {
        if (bytes >= LargeInputBytes)
            progress.Report(new StageProgress(50, $"Read {bytes / 1024:N0} KB, decoding"));
    }
}
