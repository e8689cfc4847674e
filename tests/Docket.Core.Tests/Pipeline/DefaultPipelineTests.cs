using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;

namespace Docket.Core.Tests.Pipeline;

public sealed class DefaultPipelineTests
{
    [Fact]
    public void CreateStages_ReturnsExtractAnalyseCategoriseFields_InThatOrder()
    {
        var stages = DefaultPipeline.CreateStages();

        Assert.Equal(["extract", "analyse", "categorise", "fields"], stages.Select(s => s.Name));
        Assert.Equal(
            [PipelinePhase.Parsing, PipelinePhase.Analysis, PipelinePhase.Analysis, PipelinePhase.FieldExtraction],
            stages.Select(s => s.Phase));
    }

    [Fact]
    public async Task Runner_CompletesTheSeedInvoice_WithFieldsAndPhaseEvents()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-invoice.csv"));
        var events = new List<PipelineProgress>();

        var outcome = await new PipelineRunner(DefaultPipeline.CreateStages()).RunAsync(new PipelineContext(input), events.Add, CancellationToken.None);

        var completed = Assert.IsType<PipelineOutcome.Completed>(outcome);
        Assert.Equal(Categories.Invoice, completed.Result.Category.Category);
        Assert.Equal("INV-2024-001", completed.Result.Fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.Contains(events, e => e.Event == "field_extraction_completed");
    }

    [Fact]
    public async Task Runner_FailsPermanently_ForADamagedPdf()
    {
        using var files = new TempFiles();
        var outcome = await new PipelineRunner(DefaultPipeline.CreateStages())
            .RunAsync(new PipelineContext(files.Write("a.pdf", "%PDF-1.7"u8.ToArray())), _ => { }, CancellationToken.None);

        var failed = Assert.IsType<PipelineOutcome.Failed>(outcome);
        Assert.True(failed.Permanent);
        Assert.Equal("extract", failed.Stage);
    }

    [Fact]
    public async Task Stages_GiveTheSameResult_WhenRunTwice()
    {
        var input = TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-letter.txt"));
        var first = (await Stages.RunAll(input)).ToResult();
        var second = (await Stages.RunAll(input)).ToResult();

        Assert.Equal(first.Text.Content, second.Text.Content);
        Assert.Equal(first.Category, second.Category);
        Assert.Equal(first.Analysis.Summary, second.Analysis.Summary);
        Assert.Equal(first.Analysis.Keywords, second.Analysis.Keywords);
    }
}
