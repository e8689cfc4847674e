using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Reads the stored file and leaves its text on the context, using the first extractor that takes its kind.</summary>
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

        context.Text = await extractor.ExtractAsync(context.Document, context.Progress, cancellationToken);
    }
}
