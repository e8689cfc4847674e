using Docket.Core.Pipeline.Stages.Analysis;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Counts, title, summary, keywords and language of the extracted text.</summary>
public sealed class AnalyseStage : IPipelineStage
{
    public string Name => "analyse";

    public PipelinePhase Phase => PipelinePhase.Analysis;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        context.Analysis = TextAnalyser.Analyse(context.RequireText());
        return ValueTask.CompletedTask;
    }
}
