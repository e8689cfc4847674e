using Docket.Core.Pipeline.Stages.EInvoices;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages;

/// <summary>
/// Reads the stored file and leaves its text on the context, using the first extractor that takes
/// its kind; for a PDF, also the e-invoice XML it may carry (Factur-X, ZUGFeRD, XRechnung).
/// </summary>
public sealed class ExtractTextStage(IEnumerable<ITextExtractor> extractors) : IPipelineStage
{
    private readonly ITextExtractor[] _extractors = extractors.ToArray();

    public string Name => "extract";

    public PipelinePhase Phase => PipelinePhase.Parsing;

    public async ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        var kind = context.Document.Kind;
        var extractor = Array.Find(_extractors, e => e.CanExtract(kind))
            ?? throw new UnprocessableDocumentException(
                $"Text extraction for {kind.WireName().ToUpperInvariant()} files is not available in this build.");

        if (kind != FileKind.Pdf)
        {
            context.Text = await extractor.ExtractAsync(context.Document, context.Progress, cancellationToken);
            return;
        }

        // Both tools read the same file; side by side, pdfdetach costs no time beside pdftotext.
        using var stopEmbedded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var embedded = EmbeddedInvoiceReader.ReadAsync(context.Document.FilePath, stopEmbedded.Token);
        try
        {
            context.Text = await extractor.ExtractAsync(context.Document, context.Progress, cancellationToken);
        }
        catch
        {
            // The text decides the outcome; the attachment reader must not outlive the stage (its tool is killed on cancel).
            await stopEmbedded.CancelAsync();
            await ((Task)embedded).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        context.EmbeddedInvoice = await embedded;
    }
}
