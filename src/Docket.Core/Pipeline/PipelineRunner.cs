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

/// <summary>
/// Runs the stages in order. Cancellation is honoured between stages (and inside a stage that
/// passes the token on, e.g. to an external tool); it is an outcome, not an exception.
/// </summary>
public sealed class PipelineRunner(IReadOnlyList<IPipelineStage> stages)
{
    /// <summary>Progress before the first stage; 100 is reserved for job_completed.</summary>
    private const int FirstPercent = 10;
    private const int LastPercent = 95;

    public IReadOnlyList<IPipelineStage> Stages { get; } = stages;

    public async Task<PipelineOutcome> RunAsync(
        PipelineContext context, Action<PipelineProgress> report, CancellationToken cancellationToken)
    {
        var span = (LastPercent - FirstPercent) / (double)Stages.Count;
        for (var i = 0; i < Stages.Count; i++)
        {
            var stage = Stages[i];
            if (cancellationToken.IsCancellationRequested)
                return new PipelineOutcome.Cancelled(stage.Name);

            var start = (int)Math.Round(FirstPercent + span * i);
            var end = (int)Math.Round(FirstPercent + span * (i + 1));
            var opensPhase = i == 0 || Stages[i - 1].Phase != stage.Phase;
            var closesPhase = i == Stages.Count - 1 || Stages[i + 1].Phase != stage.Phase;
            if (opensPhase)
                report(new PipelineProgress(EventNames.Started(stage.Phase), stage.Name, start, $"{stage.Name} started"));

            try
            {
                context.Progress = new InlineProgress(p => report(new PipelineProgress(
                    EventNames.StageProgress, stage.Name, start + (end - start) * Math.Clamp(p.Percent, 0, 100) / 100, p.Message)));
                await stage.RunAsync(context, cancellationToken);
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

            if (closesPhase)
                report(new PipelineProgress(EventNames.Completed(stage.Phase), stage.Name, end, $"{stage.Name} completed"));
        }

        return new PipelineOutcome.Completed(context.ToResult());
    }

    /// <summary>Reports synchronously, unlike <see cref="Progress{T}"/>, which posts to a sync context.</summary>
    private sealed class InlineProgress(Action<StageProgress> onReport) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => onReport(value);
    }
}
