using System.Threading.Channels;
using Docket.Core.Pipeline;

namespace Docket.Server.Tests.Infrastructure;

/// <summary>
/// A test double of a pipeline stage that holds every job at its place in the pipeline until the
/// test lets it pass, so a test can act while a job is known to be mid-pipeline. Like a stage
/// that does not look at the token, it ignores cancellation: the runner notices a cancel request
/// at the next stage boundary, which is what the product promises.
/// </summary>
public sealed class GateStage(string name, PipelinePhase phase) : IPipelineStage
{
    private readonly SemaphoreSlim _passes = new(0);
    private readonly Channel<Guid> _arrivals = Channel.CreateUnbounded<Guid>();
    private volatile bool _open;

    public string Name => name;

    public PipelinePhase Phase => phase;

    public async ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        _arrivals.Writer.TryWrite(context.Document.DocumentId);
        if (_open) return;
        await _passes.WaitAsync(CancellationToken.None);
    }

    /// <summary>The default pipeline with this gate right after text extraction.</summary>
    public IPipelineStage[] AfterExtraction()
    {
        var defaults = Docket.Core.Pipeline.Stages.DefaultPipeline.CreateStages();
        return [defaults[0], this, .. defaults.Skip(1)];
    }

    /// <summary>Waits until a job reaches the gate; returns its document id.</summary>
    public async Task<Guid> ArrivalAsync()
    {
        using var deadline = new CancellationTokenSource(Wait.Deadline);
        try
        {
            return await _arrivals.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No job reached the gate '{name}' within {Wait.Deadline.TotalSeconds} s.");
        }
    }

    /// <summary>Lets one waiting (or the next arriving) job through.</summary>
    public void Release() => _passes.Release();

    /// <summary>Lets every job through, now and from now on.</summary>
    public void Open()
    {
        _open = true;
        _passes.Release(1000);
    }
}
