using Docket.Core.Documents;
using Docket.Core.Jobs;

namespace Docket.Data.Model;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>Lower-case, so one address is one account whatever the letter case it is typed in.</summary>
    public required string Email { get; set; }
    public required string DisplayName { get; set; }

    /// <summary>"user", "reviewer" or "admin".</summary>
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>ASP.NET Core Identity's hash format; null for an account nobody can sign in to (the local user).</summary>
    public string? PasswordHash { get; set; }
    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>One sign-in: a browser session (cookie) or an API client's refresh-token family.</summary>
public sealed class AuthSession
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }

    /// <summary>"browser" or "api".</summary>
    public required string Kind { get; set; }

    /// <summary>Browser sessions: SHA-256 of the cookie's secret. The secret itself is never stored.</summary>
    public string? SecretHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }

    public User? User { get; set; }
}

public sealed class RefreshToken
{
    /// <summary>SHA-256 of the token; the token itself is never stored.</summary>
    public required string TokenHash { get; set; }
    public Guid SessionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>Set when the token was exchanged; a used token shown again revokes its session.</summary>
    public DateTimeOffset? UsedAt { get; set; }

    public AuthSession? Session { get; set; }
}

public sealed class SigningKey
{
    public required string Id { get; set; }
    public required string KeyMaterial { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One line of a document's audit trail; review edits have one line per field changed.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public Guid DocumentId { get; set; }
    public Guid UserId { get; set; }
    public required string Action { get; set; }
    public string? Field { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }

    /// <summary>JSON with what else the action needs to be understood (a reason, a job id, an export id).</summary>
    public string? Details { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The first response to an Idempotency-Key; <see cref="StatusCode"/> is null while that request runs.</summary>
public sealed class IdempotencyRecord
{
    public Guid UserId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string Fingerprint { get; set; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public byte[]? Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LockedUntil { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

public sealed class Document
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Filename { get; set; }
    public required string FileType { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    public required string Sha256 { get; set; }
    public required string StorageKey { get; set; }
    public DocumentStatus Status { get; set; }
    public string? Title { get; set; }
    public string? Category { get; set; }
    public Guid? CurrentJobId { get; set; }
    public Guid? CurrentResultId { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>The reviewer's edits as JSON, kept beside the machine output, never over it.</summary>
    public string? Review { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    public Guid? ReviewedBy { get; set; }

    /// <summary>Bumped on every change; the concurrency token for review edits (ETag).</summary>
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    public DateTimeOffset? FinalizedAt { get; set; }
    public Guid? FinalizedBy { get; set; }

    public ResultVersion? CurrentResult { get; set; }
    public Job? CurrentJob { get; set; }
}

public sealed class Job
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public Guid OwnerId { get; set; }
    public required string Kind { get; set; }
    public JobState State { get; set; }
    public int Priority { get; set; }
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset? AttemptedAt { get; set; }
    public string? AttemptedBy { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public bool CancelRequested { get; set; }
    public string? Stage { get; set; }
    public int Progress { get; set; }
    public required string Errors { get; set; }
    public string? LastError { get; set; }
    public Guid? RetryOf { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinalizedAt { get; set; }

    /// <summary>Reprocessing from a stage: the first stage this job runs; null for every stage.</summary>
    public string? StartStage { get; set; }

    /// <summary>The X-Request-ID of the request that made the job.</summary>
    public string? RequestId { get; set; }

    /// <summary>The W3C traceparent the job's spans continue.</summary>
    public string? TraceParent { get; set; }

    public Document? Document { get; set; }
}

public sealed class JobEventRecord
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public Guid DocumentId { get; set; }
    public required string Event { get; set; }
    public string? Stage { get; set; }
    public int Progress { get; set; }
    public string? Message { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A small text upload's bytes, stored in the database (<see cref="Storage.StorageKeys.InDatabase"/>).</summary>
public sealed class DocumentContent
{
    public Guid DocumentId { get; set; }
    public required byte[] Content { get; set; }
}

/// <summary>
/// What an invoice is looked up by to find the same invoice among its owner's other documents
/// (<see cref="Core.Documents.DuplicateKeys"/>), from the values that count: the reviewer's where edited, else the
/// current result's. A document without either key has no row.
/// </summary>
public sealed class InvoiceKeys
{
    public Guid DocumentId { get; set; }

    /// <summary>The document's owner, copied so that a lookup is one index range that never leaves the owner's documents.</summary>
    public Guid OwnerId { get; set; }
    public string? NumberKey { get; set; }
    public string? TotalKey { get; set; }
}

/// <summary>A document processed before invoice keys existed, whose keys are still to be written (InvoiceKeysBackfill).</summary>
public sealed class InvoiceKeysBackfill
{
    public Guid DocumentId { get; set; }
}

/// <summary>One processing run's output. Reprocessing adds a version; earlier ones are kept.</summary>
public sealed class ResultVersion
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public Guid JobId { get; set; }
    public int Version { get; set; }
    public required string Content { get; set; }
    public required string Data { get; set; }

    /// <summary>Each stage's outputs as JSON, so a later job can start at any stage; null in older results.</summary>
    public string? Stages { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class Export
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public required string Format { get; set; }
    public required string Filters { get; set; }
    public int DocumentCount { get; set; }
    public required string StorageKey { get; set; }
    public long SizeBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A file ingested from the consume folder, remembered by content so it is never ingested twice.</summary>
public sealed class ConsumedFile
{
    public required string Sha256 { get; set; }
    public Guid DocumentId { get; set; }
    public required string FileName { get; set; }
    public DateTimeOffset ConsumedAt { get; set; }
}

/// <summary>A worker process, as its last heartbeat described it.</summary>
public sealed class WorkerRecord
{
    public required string Id { get; set; }
    public required string Host { get; set; }
    public int ProcessId { get; set; }
    public int Slots { get; set; }
    public int Busy { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
}

/// <summary>The last run of one maintenance task, whichever node ran it.</summary>
public sealed class MaintenanceRun
{
    public required string Task { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Node { get; set; }
    public string? Outcome { get; set; }
}
