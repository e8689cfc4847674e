using Docket.Core.Pipeline.Stages.Categorising;
using Docket.Core.Pipeline.Stages.EInvoices;

namespace Docket.Core.Pipeline.Stages;

/// <summary>
/// Files the document under one of <see cref="Categories.All"/>: weighted rules over its text and
/// title, reviewed by the classifier that learns from finalised documents when there is one.
/// </summary>
public sealed class CategoriseStage(CategoryClassifier? classifier = null) : IPipelineStage
{
    public string Name => "categorise";

    public PipelinePhase Phase => PipelinePhase.Analysis;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        // An e-invoice says what it is; the rules and the classifier could only guess.
        if (context.EmbeddedInvoice is EmbeddedInvoice.Read { Invoice: var invoice })
        {
            context.Category = new Categorisation(invoice.Category, 1.0, invoice.Method);
            return ValueTask.CompletedTask;
        }

        var text = new WordTokens(context.RequireText().Content);
        var byRules = RuleCategoriser.Categorise(text, context.Analysis?.Title);
        context.Category = classifier is null ? byRules : classifier.Review(text, byRules);
        return ValueTask.CompletedTask;
    }
}
