using Docket.Core.Documents;
using Docket.Core.Jobs;

namespace Docket.Data.Model;

public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public required string Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
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

/// <summary>One processing run's output. Reprocessing adds a version; earlier ones are kept.</summary>
public sealed class ResultVersion
{
    public Guid Id { get; set; }
    public Guid DocumentId { get; set; }
    public Guid JobId { get; set; }
    public int Version { get; set; }
    public required string Content { get; set; }
    public required string Data { get; set; }
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
