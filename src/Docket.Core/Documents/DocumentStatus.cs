namespace Docket.Core.Documents;

public enum DocumentStatus
{
    Uploaded,
    Queued,
    Processing,
    Processed,
    Finalized,
    Failed,
    Rejected,
    Cancelled,
}

/// <summary>
/// The document state machine of DESIGN.md, in one table. Every status change in the
/// system is an UPDATE guarded by <see cref="SourcesOf"/>, so the database refuses an
/// illegal move atomically instead of a read-then-write racing another node.
/// </summary>
public static class DocumentStateMachine
{
    private static readonly Dictionary<DocumentStatus, DocumentStatus[]> Next = new()
    {
        [DocumentStatus.Uploaded] = [DocumentStatus.Queued, DocumentStatus.Cancelled],
        // Queued -> Processing when a worker claims the job.
        [DocumentStatus.Queued] = [DocumentStatus.Processing, DocumentStatus.Cancelled],
        // Processing -> Queued when the job goes back to the queue (lease expired, retry scheduled).
        [DocumentStatus.Processing] = [DocumentStatus.Processed, DocumentStatus.Failed, DocumentStatus.Queued, DocumentStatus.Cancelled],
        [DocumentStatus.Processed] = [DocumentStatus.Finalized, DocumentStatus.Rejected, DocumentStatus.Queued],
        [DocumentStatus.Rejected] = [DocumentStatus.Queued],
        [DocumentStatus.Failed] = [DocumentStatus.Queued],
        // A cancelled document can be retried (POST /jobs/{id}/retry is allowed from cancelled).
        [DocumentStatus.Cancelled] = [DocumentStatus.Queued],
        [DocumentStatus.Finalized] = [],
    };

    private static readonly Dictionary<DocumentStatus, DocumentStatus[]> Previous =
        Enum.GetValues<DocumentStatus>().ToDictionary(
            to => to,
            to => Next.Where(kv => kv.Value.Contains(to)).Select(kv => kv.Key).ToArray());

    public static bool CanMove(DocumentStatus from, DocumentStatus to) => Next[from].Contains(to);

    public static IReadOnlyList<DocumentStatus> TargetsOf(DocumentStatus from) => Next[from];

    /// <summary>The statuses a document may be in for a move to <paramref name="to"/> to be legal.</summary>
    public static IReadOnlyList<DocumentStatus> SourcesOf(DocumentStatus to) => Previous[to];

    public static bool IsReadOnly(DocumentStatus status) => status == DocumentStatus.Finalized;

    /// <summary>A job is (or may soon be) working on the document.</summary>
    public static bool IsActive(DocumentStatus status) =>
        status is DocumentStatus.Uploaded or DocumentStatus.Queued or DocumentStatus.Processing;
}
