using Docket.Data.Jobs;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing;

/// <summary>This process's worker: its id, how many slots it has and how many are busy (heartbeats and metrics read it).</summary>
public sealed class WorkerActivity(IOptions<QueueOptions> options)
{
    private int _busy;

    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    public int Slots { get; } = options.Value.EffectiveConcurrency;

    public int Busy => Volatile.Read(ref _busy);

    public void Started() => Interlocked.Increment(ref _busy);

    public void Finished() => Interlocked.Decrement(ref _busy);
}
