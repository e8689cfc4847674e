using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages;

/// <summary>Invoice fields for invoices, receipts and credit notes; other documents get none.</summary>
public sealed class ExtractFieldsStage : IPipelineStage
{
    public string Name => "fields";

    public PipelinePhase Phase => PipelinePhase.FieldExtraction;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        var category = context.Category?.Category;
        context.Fields = category is Categories.Invoice or Categories.Receipt or Categories.CreditNote
            ? InvoiceFieldExtractor.Extract(context.RequireText(), category, tabular: context.Document.Kind == FileKind.Csv)
            : ExtractedFields.None;
        return ValueTask.CompletedTask;
    }
}
