using System.Collections.Concurrent;

namespace Docket.Server.Processing;

/// <summary>The jobs this process is running, so a cancel signal from the bus reaches the right one.</summary>
public sealed class RunningJobs
{
    private readonly ConcurrentDictionary<Guid, JobControl> _jobs = new();

    public int Count => _jobs.Count;

    public JobControl Register(Guid jobId)
    {
        var control = new JobControl(() => _jobs.TryRemove(jobId, out _));
        _jobs[jobId] = control;
        return control;
    }

    public bool TryCancel(Guid jobId)
    {
        if (!_jobs.TryGetValue(jobId, out var control)) return false;
        control.Cancel();
        return true;
    }
}

/// <summary>Stops a running job, and remembers why: a cancel request, or a lost lease.</summary>
public sealed class JobControl(Action onDispose) : IDisposable
{
    private readonly CancellationTokenSource _source = new();

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    public bool LeaseLost { get; private set; }

    public void Cancel() => _source.Cancel();

    public void LoseLease()
    {
        LeaseLost = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        onDispose();
        _source.Dispose();
    }
}
