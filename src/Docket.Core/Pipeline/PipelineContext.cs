using Docket.Core.Pipeline.Stages.EInvoices;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline;

/// <summary>What a stage knows about the document it works on.</summary>
/// <param name="FilePath">A local file the stage may read (and hand to external tools); never written to. Empty when <paramref name="Content"/> holds the bytes.</param>
/// <param name="Content">
/// The bytes themselves, for a small text document stored in the database (only kinds whose extractors read
/// through <see cref="Stages.Extraction.ExtractionProgress.OpenRead"/>, see <see cref="Uploads.FileKinds.IsKeptInDatabase"/>).
/// </param>
/// <param name="OwnerId">
/// Whose document this is: the field stage recalls only vendors learned from this owner's finalised documents.
/// Null (a document of nobody's, as `docket extract` reads one) recalls no vendor at all.
/// </param>
public sealed record DocumentInput(Guid DocumentId, string FileName, FileKind Kind, long SizeBytes, string FilePath, byte[]? Content = null,
    Guid? OwnerId = null);

/// <summary>Progress inside a stage, for long stages (e.g. OCR page 3 of 12).</summary>
public sealed record StageProgress(int Percent, string Message);

public sealed class PipelineContext(DocumentInput document)
{
    private static readonly IProgress<StageProgress> Nowhere = new Progress<StageProgress>();

    public DocumentInput Document { get; } = document;

    /// <summary>Reports progress within the running stage, 0-100 of that stage; the runner sets it per stage.</summary>
    public IProgress<StageProgress> Progress { get; internal set; } = Nowhere;

    /// <summary>What each completed stage added, kept with the result so a later job can start at any stage.</summary>
    public StageOutputs StageOutputs { get; } = new();

    public ExtractedText? Text { get; set; }

    /// <summary>The e-invoice XML a PDF carries, left by the extract stage; null when there is none.</summary>
    public EmbeddedInvoice? EmbeddedInvoice { get; set; }
    public DocumentAnalysis? Analysis { get; set; }
    public Categorisation? Category { get; set; }
    public ExtractedFields? Fields { get; set; }

    public ExtractedText RequireText() =>
        Text ?? throw new InvalidOperationException("The extract stage must run before this stage.");

    public DocumentResult ToResult() => new(
        RequireText(),
        Analysis ?? throw new InvalidOperationException("The analyse stage did not run."),
        Category ?? throw new InvalidOperationException("The categorise stage did not run."),
        Fields ?? ExtractedFields.None);
}
