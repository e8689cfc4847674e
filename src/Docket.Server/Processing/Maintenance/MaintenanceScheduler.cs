using System.ComponentModel.DataAnnotations;
using Docket.Data.Maintenance;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing.Maintenance;

/// <summary>
/// One periodic job of housekeeping (the role Celery beat plays elsewhere). Register with
/// <see cref="MaintenanceServices.AddMaintenanceTask{T}"/>; the scheduler runs it on its interval, on
/// one node of the cluster at a time.
/// </summary>
public interface IMaintenanceTask
{
    /// <summary>Stable and unique: it names the task's row, lock, logs and interval setting.</summary>
    string Name { get; }

    /// <summary>The default interval; Maintenance:Intervals:{Name} overrides it.</summary>
    TimeSpan Interval { get; }

    /// <returns>What it did, in a few words, for the log and maintenance_runs.</returns>
    Task<string> RunAsync(CancellationToken cancellationToken);
}

/// <summary>Section "Maintenance".</summary>
public sealed class MaintenanceOptions
{
    public const string Section = "Maintenance";

    /// <summary>Off: this node runs no maintenance (others still may).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Per-task intervals by task name, e.g. Maintenance:Intervals:job-retention=00:10:00.</summary>
    public Dictionary<string, TimeSpan> Intervals { get; set; } = [];

    /// <summary>Finished jobs older than this, other than a document's latest, are deleted with their events.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan JobRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Progress events of jobs that finished longer ago than this are deleted (the job itself stays).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Exports (file and record) older than this are deleted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan ExportRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Workers silent for longer than this are removed from the workers list.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan WorkerRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the retention tasks run unless Intervals names them.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan IntervalOf(IMaintenanceTask task) => Intervals.TryGetValue(task.Name, out var configured) ? configured : task.Interval;
}

/// <summary>
/// Runs every registered <see cref="IMaintenanceTask"/> on its interval. Each task looks every quarter
/// interval whether it is due and claims the run first (<see cref="IMaintenanceClaims"/>): of all the
/// nodes that run a scheduler, one runs each due task, and a task's runs never overlap. A task that
/// throws is logged and tried again at its next interval; it never stops the others.
/// </summary>
public sealed class MaintenanceScheduler(
    IEnumerable<IMaintenanceTask> tasks,
    IMaintenanceClaims claims,
    IOptions<MaintenanceOptions> options,
    ILogger<MaintenanceScheduler> log) : BackgroundService
{
    public string Node { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return Task.CompletedTask;
        return Task.WhenAll(tasks.Select(task => Task.Run(() => ScheduleAsync(task, stoppingToken), CancellationToken.None)));
    }

    private async Task ScheduleAsync(IMaintenanceTask task, CancellationToken stoppingToken)
    {
        var interval = options.Value.IntervalOf(task);
        using var timer = new PeriodicTimer(interval / 4);
        try
        {
            do
            {
                await RunIfDueAsync(task, interval, stoppingToken);
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunIfDueAsync(IMaintenanceTask task, TimeSpan interval, CancellationToken stoppingToken)
    {
        IMaintenanceRun? run;
        try
        {
            run = await claims.TryStartAsync(task.Name, interval, Node, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Could not claim maintenance task {Task}; trying again shortly", task.Name);
            return;
        }
        if (run is null) return;

        await using (run)
        {
            string outcome;
            try
            {
                outcome = await task.RunAsync(stoppingToken);
                log.Log(outcome.Length > 0 ? LogLevel.Information : LogLevel.Debug, "Maintenance {Task}: {Outcome}", task.Name,
                    outcome.Length > 0 ? outcome : "nothing to do");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                outcome = "stopped with the node";
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Maintenance task {Task} failed; it runs again at its next interval", task.Name);
                outcome = "failed: " + ex.Message;
            }
            try
            {
                await run.CompleteAsync(outcome);
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Could not record the end of maintenance task {Task}", task.Name);
            }
        }
    }
}

public static class MaintenanceServices
{
    /// <summary>Adds a maintenance task; the scheduler picks up every one registered.</summary>
    public static IServiceCollection AddMaintenanceTask<T>(this IServiceCollection services) where T : class, IMaintenanceTask
    {
        services.AddSingleton<IMaintenanceTask, T>();
        return services;
    }

    public static IServiceCollection AddDocketMaintenance(this IServiceCollection services)
    {
        services.AddOptions<MaintenanceOptions>().BindConfiguration(MaintenanceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMaintenanceTask<LeaseRescue>();
        services.AddMaintenanceTask<JobRetention>();
        services.AddMaintenanceTask<EventRetention>();
        services.AddMaintenanceTask<ExportRetention>();
        services.AddMaintenanceTask<WorkerPruning>();
        services.AddMaintenanceTask<ExpiredSignIns>();
        services.AddMaintenanceTask<ExpiredIdempotencyKeys>();
        services.AddHostedService<MaintenanceScheduler>();
        return services;
    }
}
