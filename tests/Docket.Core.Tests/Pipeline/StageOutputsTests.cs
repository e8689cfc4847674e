using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.EInvoices;

namespace Docket.Core.Tests.Pipeline;

public sealed class StageOutputsTests
{
    private static readonly JsonSerializerOptions Compare = new() { WriteIndented = false };

    [Fact]
    public async Task EveryStagesOutputs_SurviveTheRoundTrip_AndBelongToTheStageThatMadeThem()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-invoice.csv"));
        var context = new PipelineContext(input);
        var outcome = await new PipelineRunner(DefaultPipeline.CreateStages()).RunAsync(context, _ => { }, CancellationToken.None);
        Assert.IsType<PipelineOutcome.Completed>(outcome);

        var json = context.StageOutputs.ToJson();
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(["extract", "analyse", "categorise", "fields"], root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("extract").TryGetProperty("Text", out _));
        Assert.Equal(["Analysis"], root.GetProperty("analyse").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["Category"], root.GetProperty("categorise").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["Fields"], root.GetProperty("fields").EnumerateObject().Select(p => p.Name));

        var restored = new PipelineContext(input);
        Assert.True(StageOutputs.TryRestore(restored, json, ["extract", "analyse", "categorise", "fields"], out var missing), missing);
        Assert.Equal(Serialise(context.ToResult()), Serialise(restored.ToResult()));
        Assert.Equal(context.Fields!.Method, restored.Fields!.Method);
        Assert.Equal(json, restored.StageOutputs.ToJson());
    }

    [Fact]
    public async Task APdfsWordsAndTheirBoxes_SurviveTheRoundTrip_AndTheFieldsKeepTheirBoxes()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("invoices", "synthetic", "syn-01.pdf"));
        var context = new PipelineContext(input);
        await new PipelineRunner(DefaultPipeline.CreateStages()).RunAsync(context, _ => { }, CancellationToken.None);

        var restored = new PipelineContext(input);
        Assert.True(StageOutputs.TryRestore(restored, context.StageOutputs.ToJson(), ["extract", "analyse", "categorise", "fields"], out var missing), missing);

        Assert.Equal(context.Text!.Geometry!.Words, restored.Text!.Geometry!.Words);
        Assert.Equal(context.Text.Geometry.Pages, restored.Text.Geometry.Pages);
        var total = restored.Fields!.Values[FieldNames.Total].Source!;
        Assert.Equal(context.Fields!.Values[FieldNames.Total].Source!.Box, total.Box);
        Assert.NotNull(total.Box);
    }

    [Fact]
    public async Task RunningFromAStage_ReusesTheEarlierOutputs_AndRunsOnlyTheRest()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-invoice.csv"));
        var first = new PipelineContext(input);
        var runner = new PipelineRunner(DefaultPipeline.CreateStages());
        await runner.RunAsync(first, _ => { }, CancellationToken.None);

        var again = new PipelineContext(input);
        Assert.True(StageOutputs.TryRestore(again, first.StageOutputs.ToJson(), ["extract", "analyse"], out _));
        var ran = new List<string>();
        var events = new List<PipelineProgress>();
        var outcome = await runner.RunAsync(again, events.Add,
            new PipelineRunOptions { StartStage = "categorise", StageFinished = s => ran.Add(s.Stage) }, CancellationToken.None);

        var completed = Assert.IsType<PipelineOutcome.Completed>(outcome);
        Assert.Equal(["categorise", "fields"], ran);
        Assert.Equal("analysis_started", events[0].Event);
        Assert.DoesNotContain(events, e => e.Event == "document_parsing_started");
        Assert.Equal(Serialise(first.ToResult()), Serialise(completed.Result));
        Assert.Equal(["extract", "analyse", "categorise", "fields"], again.StageOutputs.Stages);
    }

    [Fact]
    public async Task AnEmbeddedInvoice_AnAbstractRecord_KeepsItsCase_AndLaterStagesStillReadIt()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-report.txt"));
        var invoice = new EInvoice(EInvoiceSyntax.Cii, false, "ACME", "F-1", new DateOnly(2024, 5, 1), null, "EUR", 100m, 20m, 120m,
            [new LineItem("Widget", 2, 50m, 100m)], ["note"]);
        var defaults = DefaultPipeline.CreateStages();
        var runner = new PipelineRunner([defaults[0], new SetEmbeddedInvoice(new EmbeddedInvoice.Read("factur-x.xml", invoice)), .. defaults.Skip(1)]);
        var first = new PipelineContext(input);
        await runner.RunAsync(first, _ => { }, CancellationToken.None);

        var again = new PipelineContext(input);
        Assert.True(StageOutputs.TryRestore(again, first.StageOutputs.ToJson(), ["extract", "attach", "analyse"], out _));
        var read = Assert.IsType<EmbeddedInvoice.Read>(again.EmbeddedInvoice);
        Assert.Equal(invoice.Date, read.Invoice.Date);
        Assert.Equal(invoice.LineItems, read.Invoice.LineItems);
        var outcome = await runner.RunAsync(again, _ => { }, new PipelineRunOptions { StartStage = "categorise" }, CancellationToken.None);

        var completed = Assert.IsType<PipelineOutcome.Completed>(outcome);
        Assert.Equal(Categories.Invoice, completed.Result.Category.Category);
        Assert.Equal(FieldMethods.EmbeddedCii, completed.Result.Fields.Method);
        Assert.Equal("120", completed.Result.Fields.Values[FieldNames.Total].Value.TrimEnd('0').TrimEnd('.'));
    }

    [Fact]
    public void Restoring_NamesTheFirstStageWhoseOutputsAreMissing()
    {
        var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), "x.txt", Docket.Core.Uploads.FileKind.Text, 1, "/dev/null"));
        Assert.False(StageOutputs.TryRestore(context, """{"extract": {}}""", ["extract", "analyse"], out var missing));
        Assert.Equal("analyse", missing);
        Assert.False(StageOutputs.TryRestore(context, null, ["extract"], out missing));
        Assert.Equal("extract", missing);
    }

    private static string Serialise(DocumentResult result) => JsonSerializer.Serialize(result, Compare);

    private sealed class SetEmbeddedInvoice(EmbeddedInvoice invoice) : IPipelineStage
    {
        public string Name => "attach";

        public PipelinePhase Phase => PipelinePhase.Parsing;

        public ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            context.EmbeddedInvoice = invoice;
            return ValueTask.CompletedTask;
        }
    }
}
