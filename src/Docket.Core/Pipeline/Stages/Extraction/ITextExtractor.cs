using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Turns one kind of file into text. The extract stage picks the first extractor that accepts
/// the document's kind, so PDF, OCR and DOCX extractors slot in without changing the stage.
/// </summary>
public interface ITextExtractor
{
    bool CanExtract(FileKind kind);

    /// <summary>
    /// Throws <see cref="UnprocessableDocumentException"/> when the file cannot be read as its kind
    /// (invalid JSON, for instance); that is the document's fault and retrying will not help.
    /// </summary>
    ValueTask<ExtractedText> ExtractAsync(DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct);
}
