using Docket.Core.Learning;
using Docket.Core.Pipeline.Stages.EInvoices;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages;

/// <summary>
/// Invoice fields for invoices, receipts and credit notes, with what reviewers taught about the
/// vendor on the same owner's documents; other documents get none. A PDF's embedded e-invoice, when readable, is the source over the text.
/// </summary>
/// <param name="model">The learned field scorer; the one built into Docket when not given.</param>
public sealed class ExtractFieldsStage(VendorMemories? vendors = null, FieldModel? model = null) : IPipelineStage
{
    public string Name => "fields";

    public PipelinePhase Phase => PipelinePhase.FieldExtraction;

    public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        if (context.EmbeddedInvoice is EmbeddedInvoice.Read { Invoice: var invoice })
        {
            context.Fields = EInvoiceFields.From(invoice, context.RequireText());
            return ValueTask.CompletedTask;
        }

        var category = context.Category?.Category;
        // The owner's memory or none: never another owner's vendors, whose names and lessons would show in this result.
        var ownVendors = context.Document.OwnerId is { } owner ? vendors?.Of(owner) : null;
        context.Fields = category is Categories.Invoice or Categories.Receipt or Categories.CreditNote
            ? InvoiceFieldExtractor.Extract(context.RequireText(), category, context.Document.Kind, ownVendors, model)
            : ExtractedFields.None;
        if (context.EmbeddedInvoice is EmbeddedInvoice.Unreadable { Reason: var reason })
            context.Fields = context.Fields with { Warnings = [reason, .. context.Fields.Warnings] };
        return ValueTask.CompletedTask;
    }
}
