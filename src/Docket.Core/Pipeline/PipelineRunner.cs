using Docket.Core.Jobs;

namespace Docket.Core.Pipeline;

/// <summary>A progress point the runner reports; the worker turns it into a stored, published event.</summary>
public sealed record PipelineProgress(string Event, string Stage, int Percent, string Message);

public abstract record PipelineOutcome
{
    public sealed record Completed(DocumentResult Result) : PipelineOutcome;

    public sealed record Failed(string Error, bool Permanent, string Stage) : PipelineOutcome;

    public sealed record Cancelled(string Stage) : PipelineOutcome;
}

/// <summary>One stage's run, for metrics: "completed", "failed" or "cancelled", and how long it took.</summary>
public sealed record StageRun(string Stage, string Outcome, TimeSpan Elapsed);

public sealed class PipelineRunOptions
{
    /// <summary>Start at this stage; the context already holds the outputs of the stages before it. Null: the first.</summary>
    public string? StartStage { get; init; }

    /// <summary>Called after each stage that ran, whatever its outcome.</summary>
    public Action<StageRun>? StageFinished { get; init; }
}

/// <summary>
/// Runs the stages in order. Cancellation is honoured between stages (and inside a stage that
/// passes the token on, e.g. to an external tool); it is an outcome, not an exception.
/// Each stage is a span of its own (source "Docket.Pipeline") under whatever span is current.
/// </summary>
public sealed class PipelineRunner(IReadOnlyList<IPipelineStage> stages)
{
    public const string ActivitySourceName = "Docket.Pipeline";

    private static readonly System.Diagnostics.ActivitySource Tracing = new(ActivitySourceName);

    /// <summary>Progress before the first stage; 100 is reserved for job_completed.</summary>
    private const int FirstPercent = 10;
    private const int LastPercent = 95;

    public IReadOnlyList<IPipelineStage> Stages { get; } = stages;

    /// <summary>The position of the stage named <paramref name="name"/>; -1 when there is none.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Stages.Count; i++)
            if (Stages[i].Name == name) return i;
        return -1;
    }

    public Task<PipelineOutcome> RunAsync(PipelineContext context, Action<PipelineProgress> report, CancellationToken cancellationToken) =>
        RunAsync(context, report, new PipelineRunOptions(), cancellationToken);

    public async Task<PipelineOutcome> RunAsync(
        PipelineContext context, Action<PipelineProgress> report, PipelineRunOptions options, CancellationToken cancellationToken)
    {
        var first = options.StartStage is { } start ? IndexOf(start) : 0;
        if (first < 0) throw new ArgumentException($"There is no stage '{options.StartStage}'.", nameof(options));
        var span = (LastPercent - FirstPercent) / (double)Stages.Count;
        for (var i = first; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            if (cancellationToken.IsCancellationRequested)
                return new PipelineOutcome.Cancelled(stage.Name);

            var startPercent = (int)Math.Round(FirstPercent + span * i);
            var end = (int)Math.Round(FirstPercent + span * (i + 1));
            var opensPhase = i == first || Stages[i - 1].Phase != stage.Phase;
            var closesPhase = i == Stages.Count - 1 || Stages[i + 1].Phase != stage.Phase;
            if (opensPhase)
                report(new PipelineProgress(EventNames.Started(stage.Phase), stage.Name, startPercent, $"{stage.Name} started"));

            using var activity = Tracing.StartActivity(stage.Name);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var outcome = await RunStageAsync(stage, context, report, startPercent, end, cancellationToken);
            var outcomeName = outcome switch
            {
                null => "completed",
                PipelineOutcome.Cancelled => "cancelled",
                _ => "failed",
            };
            activity?.SetTag("docket.stage.outcome", outcomeName);
            if (outcome is PipelineOutcome.Failed failed) activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failed.Error);
            options.StageFinished?.Invoke(new StageRun(stage.Name, outcomeName, System.Diagnostics.Stopwatch.GetElapsedTime(started)));
            if (outcome is not null) return outcome;

            if (closesPhase)
                report(new PipelineProgress(EventNames.Completed(stage.Phase), stage.Name, end, $"{stage.Name} completed"));
        }

        return new PipelineOutcome.Completed(context.ToResult());
    }

    /// <returns>Null when the stage completed; otherwise how the run ends.</returns>
    private static async Task<PipelineOutcome?> RunStageAsync(IPipelineStage stage, PipelineContext context, Action<PipelineProgress> report,
        int start, int end, CancellationToken cancellationToken)
    {
        try
        {
            context.Progress = new InlineProgress(p => report(new PipelineProgress(
                EventNames.StageProgress, stage.Name, start + (end - start) * Math.Clamp(p.Percent, 0, 100) / 100, p.Message)));
            context.StageOutputs.BeforeStage(context);
            await stage.RunAsync(context, cancellationToken);
            context.StageOutputs.AfterStage(stage.Name, context);
            return null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new PipelineOutcome.Cancelled(stage.Name);
        }
        catch (UnprocessableDocumentException ex)
        {
            return new PipelineOutcome.Failed(ex.Message, Permanent: true, stage.Name);
        }
        catch (Exception ex)
        {
            return new PipelineOutcome.Failed($"{stage.Name} failed: {ex.Message}", Permanent: false, stage.Name);
        }
    }

    /// <summary>Reports synchronously, unlike <see cref="Progress{T}"/>, which posts to a sync context.</summary>
    private sealed class InlineProgress(Action<StageProgress> onReport) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => onReport(value);
    }
}
