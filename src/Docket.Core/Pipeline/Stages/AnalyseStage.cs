using Docket.Core.Pipeline.Stages.Analysis;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Counts, title, summary, keywords and language of the extracted text.</summary>
/// <param name="frequencies">Term frequencies over finalised documents for TF-IDF keywords; none: frequency within the document alone.</param>
public sealed class AnalyseStage(DocumentFrequencies? frequencies = null) : IPipelineStage
{
    public string Name => "analyse";

    public PipelinePhase Phase => PipelinePhase.Analysis;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        context.Analysis = TextAnalyser.Analyse(context.RequireText(), frequencies);
        return ValueTask.CompletedTask;
    }
}
