using System.ComponentModel.DataAnnotations;

namespace Docket.Data.Jobs;

/// <summary>Queue and worker settings (section "Queue").</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    /// <summary>Attempts before a job fails for good; a worker that died mid-job counts as an attempt.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Parallel jobs per worker process; 0 means <see cref="SlotsPerCore"/> per CPU core. More jobs than cores,
    /// because a small document's job spends much of its time waiting on the database; the CPU-heavy part, the
    /// external programs, is held to <see cref="ToolProcesses"/> at once.
    /// </summary>
    [Range(0, 1024)]
    public int Concurrency { get; set; }

    /// <summary>
    /// External programs (pdftotext, pdftoppm, tesseract, ...) a worker process runs at once, over all its jobs;
    /// 0 means one per CPU core. A long PDF's text is read by as many pdftotext processes as this allows.
    /// </summary>
    [Range(0, 1024)]
    public int ToolProcesses { get; set; }

    /// <summary>
    /// Jobs a worker claims ahead of its free slots, so a freed slot starts the next job at once instead
    /// of waiting for a claim; -1 means as many as there are slots, 0 turns it off.
    /// </summary>
    [Range(-1, 1024)]
    public int Prefetch { get; set; } = -1;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job renews its lease; well inside <see cref="Lease"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:20:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle worker looks for work even without a wake-up signal.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the rescuer looks for expired leases.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RescueInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(10);

    public const int SlotsPerCore = 4;

    public int EffectiveConcurrency => Concurrency > 0 ? Concurrency : SlotsPerCore * Environment.ProcessorCount;

    public int EffectiveToolProcesses => ToolProcesses > 0 ? ToolProcesses : Environment.ProcessorCount;

    public int EffectivePrefetch => Prefetch >= 0 ? Prefetch : EffectiveConcurrency;
}
