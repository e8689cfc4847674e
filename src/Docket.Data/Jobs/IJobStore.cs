using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data.Events;

namespace Docket.Data.Jobs;

/// <summary>A validated upload, ready to be recorded.</summary>
/// <param name="Content">The bytes, stored with the document, when its key is <see cref="Storage.StorageKeys.InDatabase"/>.</param>
public sealed record NewDocument(
    Guid Id,
    Guid OwnerId,
    string FileName,
    string FileType,
    string ContentType,
    long SizeBytes,
    string Sha256,
    string StorageKey,
    byte[]? Content = null);

/// <param name="DuplicateOf">The owner's earliest document with the same SHA-256, if any.</param>
public sealed record EnqueuedJob(Guid DocumentId, Guid JobId, DocumentStatus Status, Guid? DuplicateOf = null);

/// <summary>
/// A worker's hold on a job. The attempt number is the fencing token: every claim increments it,
/// so a worker whose lease expired (and whose job another worker has since claimed) can no
/// longer heartbeat, report or complete it.
/// </summary>
public sealed record JobLease(Guid JobId, int Attempt);

public sealed record ClaimedJob(
    JobLease Lease,
    Guid DocumentId,
    Guid OwnerId,
    int MaxAttempts,
    string FileName,
    string FileType,
    long SizeBytes,
    string StorageKey)
{
    /// <summary>The stage to start at, reusing the stored outputs of the stages before it; null runs every stage.</summary>
    public string? StartStage { get; init; }

    /// <summary>The X-Request-ID of the request that created the job, for the worker's logs.</summary>
    public string? RequestId { get; init; }

    /// <summary>The W3C traceparent of the span that created the job: the job's spans continue that trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The document's bytes when they are stored in the database; null when they are in the file store.</summary>
    public byte[]? Content { get; init; }

    /// <summary>
    /// The reviewer's edits (documents.review) when the document was reviewed before this job: the invoice keys the
    /// job stores are those of the values that count. Nobody can edit a document while it is being processed.
    /// </summary>
    public string? Review { get; init; }
}

public enum LeaseStatus
{
    Held,
    /// <summary>Held, and someone asked for the job to be cancelled.</summary>
    CancelRequested,
    /// <summary>The lease expired and the job moved on; stop working on it.</summary>
    Lost,
}

/// <summary>What processing produced, stored as a new result version of the document.</summary>
/// <param name="StagesJson">Each stage's outputs (<c>{"stage": {...}}</c>), so a later job can start at any stage.</param>
/// <param name="Keys">The document's invoice keys with this result, stored with it (replacing earlier ones); none by default.</param>
public sealed record ResultToStore(string Content, string DataJson, string? Title, string? Category, string? StagesJson = null,
    DuplicateKeys? Keys = null);

public sealed record ProgressUpdate(string Event, string Stage, int Progress, string Message);

public enum FailureOutcome
{
    RetryScheduled,
    Failed,
    /// <summary>The attempt failed while cancellation was requested: the job is cancelled instead of retried.</summary>
    Cancelled,
    LeaseLost,
}

public abstract record EnqueueOutcome
{
    public sealed record Enqueued(Guid JobId) : EnqueueOutcome;

    public sealed record NotFound : EnqueueOutcome;

    /// <summary>The document's status does not allow a new job (e.g. it is finalised or already being processed).</summary>
    public sealed record WrongStatus(DocumentStatus Status) : EnqueueOutcome;

    /// <summary>A retry was asked for a job that is not the document's latest, or not failed or cancelled.</summary>
    public sealed record NotRetryable(string Reason) : EnqueueOutcome;
}

public abstract record CancelOutcome
{
    /// <summary>The job was still queued and is now cancelled.</summary>
    public sealed record Cancelled : CancelOutcome;

    /// <summary>The job is running; its worker stops at the next stage boundary.</summary>
    public sealed record Requested : CancelOutcome;

    public sealed record NotFound : CancelOutcome;

    public sealed record AlreadyFinished(JobState State) : CancelOutcome;
}

public enum EventScope
{
    Job,
    Document,
}

/// <summary>
/// The database as the job queue (DESIGN.md). Every method is one transaction; every method
/// that writes progress events stores them before it publishes them on the bus, so a lost
/// signal only delays a listener, which can replay from the table.
/// </summary>
public interface IJobStore
{
    /// <summary>Records documents and their first jobs in ONE transaction: no saved document without its job.</summary>
    Task<IReadOnlyList<EnqueuedJob>> AddDocumentsAsync(IReadOnlyList<NewDocument> documents, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a new job for a document whose status is one of <paramref name="allowedFrom"/>
    /// (reprocess), or, with <paramref name="retryOf"/>, retries that failed or cancelled job.
    /// With <paramref name="startStage"/> the job starts at that stage, from the stored outputs of the
    /// document's current result (the caller checks they exist).
    /// </summary>
    Task<EnqueueOutcome> EnqueueAsync(Guid documentId, Guid ownerId, IReadOnlyCollection<DocumentStatus> allowedFrom, Guid? retryOf,
        CancellationToken cancellationToken, string? startStage = null);

    /// <summary>Claims at most <paramref name="limit"/> due jobs, oldest first, each exclusively.</summary>
    Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int limit, TimeSpan lease, CancellationToken cancellationToken);

    Task<LeaseStatus> HeartbeatAsync(JobLease lease, TimeSpan extendBy, CancellationToken cancellationToken);

    /// <summary>Stores progress events for a job this worker still holds; false when the lease was lost.</summary>
    Task<bool> ReportProgressAsync(JobLease lease, IReadOnlyList<ProgressUpdate> updates, CancellationToken cancellationToken);

    /// <summary>Marks the job succeeded and stores the result; false (and nothing stored) when the lease was lost.</summary>
    /// <param name="progress">Progress events not stored yet, stored first: a quick job's events and outcome in one write.</param>
    Task<bool> CompleteAsync(JobLease lease, ResultToStore result, CancellationToken cancellationToken,
        IReadOnlyList<ProgressUpdate>? progress = null);

    /// <summary>
    /// Records a failed attempt. A permanent failure, or the last allowed attempt, fails the job
    /// (it becomes a dead letter); otherwise it goes back to the queue after <paramref name="retryDelay"/>.
    /// </summary>
    Task<FailureOutcome> FailAsync(JobLease lease, string error, string? stage, bool permanent, TimeSpan retryDelay, CancellationToken cancellationToken);

    /// <summary>The worker stopped because cancellation was requested.</summary>
    Task<bool> AcknowledgeCancelAsync(JobLease lease, string? stage, CancellationToken cancellationToken);

    Task<CancelOutcome> RequestCancelAsync(Guid jobId, Guid? ownerId, CancellationToken cancellationToken);

    /// <summary>
    /// Puts jobs whose lease expired back in the queue (at-least-once delivery), or fails them
    /// when they used up their attempts, or cancels them when cancellation was requested.
    /// </summary>
    Task<int> RescueExpiredAsync(CancellationToken cancellationToken);

    /// <summary>Stored events after <paramref name="afterId"/>, in order.</summary>
    Task<IReadOnlyList<JobEvent>> EventsAsync(EventScope scope, Guid id, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>The newest stored event id for a job or document (0 when none).</summary>
    Task<long> LastEventIdAsync(EventScope scope, Guid id, CancellationToken cancellationToken);
}

internal static class JobMessages
{
    public static string Queued(Guid? retryOf, string? startStage) => (retryOf, startStage) switch
    {
        ({ }, _) => "Queued again (retry)",
        (null, { } stage) => $"Queued for reprocessing from the {stage} stage",
        _ => "Queued for reprocessing",
    };
}
