using Docket.Core.Jobs;
using Docket.Core.Pipeline;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline;

public class PipelineRunnerTests
{
    /// <summary>A stage that logs that it ran, then does whatever the test asks of it.</summary>
    private sealed class Stage(
        string name, PipelinePhase phase, List<string> log,
        Func<PipelineContext, CancellationToken, ValueTask>? body = null) : IPipelineStage
    {
        public string Name => name;
        public PipelinePhase Phase => phase;

        public async ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            log.Add($"run {name}");
            if (body is not null) await body(context, cancellationToken);
        }
    }

    private readonly List<string> _log = [];
    private readonly List<PipelineProgress> _events = [];

    private static PipelineContext NewContext() =>
        new(new DocumentInput(Guid.NewGuid(), "invoice.txt", FileKind.Text, 42, "/nonexistent/invoice.txt"));

    private void Report(PipelineProgress progress)
    {
        _events.Add(progress);
        _log.Add($"{progress.Event} {progress.Stage}");
    }

    private static ValueTask Extract(PipelineContext context, CancellationToken _)
    {
        context.Text = new ExtractedText("Invoice 1\nTotal 10.00 EUR", [0], "native");
        return ValueTask.CompletedTask;
    }

    private static ValueTask Analyse(PipelineContext context, CancellationToken _)
    {
        context.Analysis = new DocumentAnalysis("Invoice 1", "An invoice.", ["invoice"], "en", 1, 5, 2, 25);
        return ValueTask.CompletedTask;
    }

    private static ValueTask Categorise(PipelineContext context, CancellationToken _)
    {
        context.Category = new Categorisation(Categories.Invoice, 0.9, "rules");
        return ValueTask.CompletedTask;
    }

    private static ValueTask ExtractFields(PipelineContext context, CancellationToken _)
    {
        context.Fields = ExtractedFields.None;
        return ValueTask.CompletedTask;
    }

    /// <summary>The real shape: extract (parsing), analyse + categorise (analysis), fields (field extraction).</summary>
    private List<IPipelineStage> StandardStages(
        Func<PipelineContext, CancellationToken, ValueTask>? extract = null,
        Func<PipelineContext, CancellationToken, ValueTask>? analyse = null,
        Func<PipelineContext, CancellationToken, ValueTask>? categorise = null,
        Func<PipelineContext, CancellationToken, ValueTask>? fields = null) =>
    [
        new Stage("extract", PipelinePhase.Parsing, _log, extract ?? Extract),
        new Stage("analyse", PipelinePhase.Analysis, _log, analyse ?? Analyse),
        new Stage("categorise", PipelinePhase.Analysis, _log, categorise ?? Categorise),
        new Stage("fields", PipelinePhase.FieldExtraction, _log, fields ?? ExtractFields),
    ];

    private Task<PipelineOutcome> Run(IReadOnlyList<IPipelineStage> stages, CancellationToken cancellationToken = default) =>
        new PipelineRunner(stages).RunAsync(NewContext(), Report, cancellationToken);

    [Fact]
    public async Task RunAsync_Completes_WithWhatTheStagesProduced()
    {
        var outcome = await Run(StandardStages());

        var completed = Assert.IsType<PipelineOutcome.Completed>(outcome);
        Assert.Equal("Invoice 1\nTotal 10.00 EUR", completed.Result.Text.Content);
        Assert.Equal("Invoice 1", completed.Result.Analysis.Title);
        Assert.Equal(Categories.Invoice, completed.Result.Category.Category);
        Assert.Same(ExtractedFields.None, completed.Result.Fields);
    }

    [Fact]
    public async Task RunAsync_OpensEachPhaseBeforeItsFirstStage_AndClosesItAfterItsLast()
    {
        await Run(StandardStages());

        Assert.Equal(
        [
            "document_parsing_started extract",
            "run extract",
            "document_parsing_completed extract",
            "analysis_started analyse",
            "run analyse",
            "run categorise",
            "analysis_completed categorise",
            "field_extraction_started fields",
            "run fields",
            "field_extraction_completed fields",
        ], _log);
    }

    [Fact]
    public async Task RunAsync_ReportsOneAnalysisStartedAndOneAnalysisCompleted_ForTheTwoAnalysisStages()
    {
        await Run(StandardStages());

        Assert.Single(_events, e => e.Event == EventNames.AnalysisStarted);
        Assert.Single(_events, e => e.Event == EventNames.AnalysisCompleted);
        Assert.Equal("analyse", _events.Single(e => e.Event == EventNames.AnalysisStarted).Stage);
        Assert.Equal("categorise", _events.Single(e => e.Event == EventNames.AnalysisCompleted).Stage);
    }

    [Fact]
    public async Task RunAsync_ReportsStartedAndCompletedForEveryStage_WhenEachStageHasItsOwnPhase()
    {
        List<IPipelineStage> stages =
        [
            new Stage("extract", PipelinePhase.Parsing, _log, Extract),
            new Stage("analyse", PipelinePhase.Analysis, _log, async (c, t) => { await Analyse(c, t); await Categorise(c, t); }),
            new Stage("fields", PipelinePhase.FieldExtraction, _log, ExtractFields),
        ];

        await Run(stages);

        Assert.Equal(
        [
            EventNames.DocumentParsingStarted, EventNames.DocumentParsingCompleted,
            EventNames.AnalysisStarted, EventNames.AnalysisCompleted,
            EventNames.FieldExtractionStarted, EventNames.FieldExtractionCompleted,
        ], _events.Select(e => e.Event));
    }

    [Fact]
    public async Task RunAsync_ReportsPercentsThatRiseMonotonically_From10To95()
    {
        static Func<PipelineContext, CancellationToken, ValueTask> WithProgress(
            Func<PipelineContext, CancellationToken, ValueTask> body) => async (context, token) =>
        {
            foreach (var percent in new[] { 0, 25, 50, 75, 100 })
                context.Progress.Report(new StageProgress(percent, $"{percent}%"));
            await body(context, token);
        };

        await Run(StandardStages(WithProgress(Extract), WithProgress(Analyse), WithProgress(Categorise), WithProgress(ExtractFields)));

        var percents = _events.Select(e => e.Percent).ToList();
        Assert.Equal(10, percents[0]);
        Assert.Equal(95, percents[^1]);
        Assert.All(percents, p => Assert.InRange(p, 10, 95));
        for (var i = 1; i < percents.Count; i++)
            Assert.True(percents[i] >= percents[i - 1], $"percent fell from {percents[i - 1]} to {percents[i]} at event {i}: {string.Join(", ", percents)}");
        // Each phase starts later than the one before, and ends later too (one phase may start
        // at the very percent the previous one completed at).
        var started = _events.Where(e => e.Event.EndsWith("_started")).Select(e => e.Percent).ToList();
        var completed = _events.Where(e => e.Event.EndsWith("_completed")).Select(e => e.Percent).ToList();
        Assert.Equal(3, started.Count);
        Assert.Equal(3, completed.Count);
        Assert.Equal(started.Order(), started);
        Assert.Equal(started.Count, started.Distinct().Count());
        Assert.Equal(completed.Order(), completed);
        Assert.Equal(completed.Count, completed.Distinct().Count());
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(50, 52)]
    [InlineData(100, 95)]
    [InlineData(-20, 10)]
    [InlineData(250, 95)]
    public async Task RunAsync_MapsStageProgressIntoTheWholeRange_ForASingleStage(int stagePercent, int expected)
    {
        List<IPipelineStage> stages =
        [
            new Stage("everything", PipelinePhase.Parsing, _log, async (c, t) =>
            {
                c.Progress.Report(new StageProgress(stagePercent, "page 1 of 2"));
                await Extract(c, t);
                await Analyse(c, t);
                await Categorise(c, t);
            }),
        ];

        await Run(stages);

        var progress = Assert.Single(_events, e => e.Event == EventNames.StageProgress);
        Assert.Equal(expected, progress.Percent);
        Assert.Equal("everything", progress.Stage);
        Assert.Equal("page 1 of 2", progress.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task RunAsync_MapsStageProgressIntoThatStagesSlice(int stageIndex)
    {
        var names = new[] { "extract", "analyse", "categorise", "fields" };
        var reported = new[] { 0, 30, 60, 100 };
        Func<PipelineContext, CancellationToken, ValueTask> WithProgress(
            int index, Func<PipelineContext, CancellationToken, ValueTask> body) => async (context, token) =>
        {
            if (index == stageIndex)
                foreach (var percent in reported)
                    context.Progress.Report(new StageProgress(percent, "working"));
            await body(context, token);
        };

        await Run(StandardStages(WithProgress(0, Extract), WithProgress(1, Analyse), WithProgress(2, Categorise), WithProgress(3, ExtractFields)));

        // With four stages over 10..95 each stage owns 21.25 points: stage i spans round(10 + 21.25 i) .. round(10 + 21.25 (i + 1)).
        var sliceStart = (int)Math.Round(10 + 21.25 * stageIndex);
        var sliceEnd = (int)Math.Round(10 + 21.25 * (stageIndex + 1));
        var progress = _events.Where(e => e.Event == EventNames.StageProgress).ToList();
        Assert.Equal(reported.Length, progress.Count);
        Assert.All(progress, p => Assert.Equal(names[stageIndex], p.Stage));
        Assert.Equal(sliceStart, progress[0].Percent);
        Assert.Equal(sliceEnd, progress[^1].Percent);
        Assert.All(progress, p => Assert.InRange(p.Percent, sliceStart, sliceEnd));
        Assert.True(progress[1].Percent > sliceStart && progress[2].Percent > progress[1].Percent && progress[2].Percent < sliceEnd);
    }

    [Fact]
    public async Task RunAsync_ReturnsCancelledWithTheNextStage_WhenCancelledBetweenStages()
    {
        using var cancellation = new CancellationTokenSource();
        var stages = StandardStages(analyse: async (c, t) =>
        {
            await Analyse(c, t);
            // The stage finishes its work; the runner must notice before categorise starts.
            await cancellation.CancelAsync();
        });

        var outcome = await Run(stages, cancellation.Token);

        Assert.Equal(new PipelineOutcome.Cancelled("categorise"), outcome);
        Assert.DoesNotContain("run categorise", _log);
        Assert.DoesNotContain("run fields", _log);
        Assert.DoesNotContain(_events, e => e.Event == EventNames.AnalysisCompleted);
    }

    [Fact]
    public async Task RunAsync_ReturnsCancelledAtThePhaseBoundary_WithoutOpeningTheNextPhase()
    {
        using var cancellation = new CancellationTokenSource();
        var stages = StandardStages(extract: async (c, t) =>
        {
            await Extract(c, t);
            await cancellation.CancelAsync();
        });

        var outcome = await Run(stages, cancellation.Token);

        Assert.Equal(new PipelineOutcome.Cancelled("analyse"), outcome);
        Assert.Equal(["document_parsing_started extract", "run extract", "document_parsing_completed extract"], _log);
    }

    [Fact]
    public async Task RunAsync_RunsNoStage_WhenCancelledBeforeItStarts()
    {
        var outcome = await Run(StandardStages(), new CancellationToken(canceled: true));

        Assert.Equal(new PipelineOutcome.Cancelled("extract"), outcome);
        Assert.Empty(_log);
    }

    [Fact]
    public async Task RunAsync_ReturnsFailedPermanent_WhenAStageSaysTheDocumentIsUnprocessable()
    {
        var stages = StandardStages(extract: (_, _) => throw new UnprocessableDocumentException("The PDF is encrypted."));

        var outcome = await Run(stages);

        Assert.Equal(new PipelineOutcome.Failed("The PDF is encrypted.", Permanent: true, Stage: "extract"), outcome);
        Assert.Equal(["document_parsing_started extract", "run extract"], _log);
    }

    [Fact]
    public async Task RunAsync_ReturnsFailedTransient_WhenAStageThrowsAnyOtherException()
    {
        var stages = StandardStages(categorise: (_, _) => throw new IOException("disk on fire"));

        var outcome = await Run(stages);

        var failed = Assert.IsType<PipelineOutcome.Failed>(outcome);
        Assert.False(failed.Permanent);
        Assert.Equal("categorise", failed.Stage);
        Assert.Contains("disk on fire", failed.Error);
        Assert.Contains("categorise", failed.Error);
        Assert.DoesNotContain("run fields", _log);
        Assert.DoesNotContain(_events, e => e.Event == EventNames.AnalysisCompleted);
    }

    [Fact]
    public async Task RunAsync_ReturnsFailedTransient_WhenAStageThrowsAfterAwaiting()
    {
        var stages = StandardStages(fields: async (_, _) =>
        {
            await Task.Yield();
            throw new HttpRequestException("extractor unavailable");
        });

        var outcome = await Run(stages);

        var failed = Assert.IsType<PipelineOutcome.Failed>(outcome);
        Assert.False(failed.Permanent);
        Assert.Equal("fields", failed.Stage);
    }

    [Fact]
    public async Task RunAsync_ReturnsCancelled_WhenAStageThrowsOperationCanceledWhileTheTokenIsCancelled()
    {
        using var cancellation = new CancellationTokenSource();
        var stages = StandardStages(analyse: async (_, token) =>
        {
            await cancellation.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
        });

        var outcome = await Run(stages, cancellation.Token);

        Assert.Equal(new PipelineOutcome.Cancelled("analyse"), outcome);
        Assert.DoesNotContain("run categorise", _log);
    }

    [Fact]
    public async Task RunAsync_ReturnsFailedTransient_WhenAStageThrowsOperationCanceledButTheJobWasNotCancelled()
    {
        // E.g. an HTTP timeout inside a stage: not the job being cancelled, so it is retried.
        var stages = StandardStages(extract: (_, _) => throw new TaskCanceledException("The request timed out."));

        var outcome = await Run(stages, CancellationToken.None);

        var failed = Assert.IsType<PipelineOutcome.Failed>(outcome);
        Assert.False(failed.Permanent);
        Assert.Equal("extract", failed.Stage);
    }

    [Fact]
    public async Task RunAsync_PassesTheCancellationTokenToEachStage()
    {
        using var cancellation = new CancellationTokenSource();
        var seen = new List<CancellationToken>();
        Func<PipelineContext, CancellationToken, ValueTask> Capture(Func<PipelineContext, CancellationToken, ValueTask> body) =>
            (c, t) => { seen.Add(t); return body(c, t); };

        await Run(StandardStages(Capture(Extract), Capture(Analyse), Capture(Categorise), Capture(ExtractFields)), cancellation.Token);

        Assert.Equal(4, seen.Count);
        Assert.All(seen, t => Assert.Equal(cancellation.Token, t));
    }
}
