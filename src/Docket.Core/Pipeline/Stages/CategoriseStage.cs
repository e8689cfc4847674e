using Docket.Core.Pipeline.Stages.Categorising;
using Docket.Core.Pipeline.Stages.EInvoices;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Files the document under one of <see cref="Categories.All"/> by weighted rules over its text and title.</summary>
public sealed class CategoriseStage : IPipelineStage
{
    public string Name => "categorise";

    public PipelinePhase Phase => PipelinePhase.Analysis;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        // An e-invoice says what it is; the rules could only guess.
        context.Category = context.EmbeddedInvoice is EmbeddedInvoice.Read { Invoice: var invoice }
            ? new Categorisation(invoice.Category, 1.0, invoice.Method)
            : RuleCategoriser.Categorise(context.RequireText().Content, context.Analysis?.Title);
        return ValueTask.CompletedTask;
    }
}
