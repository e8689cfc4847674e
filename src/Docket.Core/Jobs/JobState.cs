namespace Docket.Core.Jobs;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>The job state machine of DESIGN.md, in one table; see <see cref="Documents.DocumentStateMachine"/>.</summary>
public static class JobStateMachine
{
    private static readonly Dictionary<JobState, JobState[]> Next = new()
    {
        [JobState.Queued] = [JobState.Running, JobState.Cancelled],
        // Running -> Queued: the lease expired, or a transient failure scheduled a retry.
        [JobState.Running] = [JobState.Succeeded, JobState.Failed, JobState.Cancelled, JobState.Queued],
        // Terminal. A retry of a failed or cancelled job is a new job, so each attempt history stays intact.
        [JobState.Succeeded] = [],
        [JobState.Failed] = [],
        [JobState.Cancelled] = [],
    };

    private static readonly Dictionary<JobState, JobState[]> Previous =
        Enum.GetValues<JobState>().ToDictionary(
            to => to,
            to => Next.Where(kv => kv.Value.Contains(to)).Select(kv => kv.Key).ToArray());

    public static bool CanMove(JobState from, JobState to) => Next[from].Contains(to);

    public static IReadOnlyList<JobState> SourcesOf(JobState to) => Previous[to];

    public static bool IsTerminal(JobState state) => Next[state].Length == 0;

    /// <summary>Only a job that ended without success may be retried (as a new job).</summary>
    public static bool CanRetry(JobState state) => state is JobState.Failed or JobState.Cancelled;
}
