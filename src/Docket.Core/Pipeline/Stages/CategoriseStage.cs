using Docket.Core.Pipeline.Stages.Categorising;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Files the document under one of <see cref="Categories.All"/> by weighted rules over its text and title.</summary>
public sealed class CategoriseStage : IPipelineStage
{
    public string Name => "categorise";

    public PipelinePhase Phase => PipelinePhase.Analysis;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        context.Category = RuleCategoriser.Categorise(context.RequireText().Content, context.Analysis?.Title);
        return ValueTask.CompletedTask;
    }
}
