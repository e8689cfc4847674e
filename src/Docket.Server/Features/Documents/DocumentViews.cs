using System.Text.Json;
using Docket.Core.Documents;
using Docket.Core.Jobs;
using Docket.Data.Events;
using Docket.Data.Model;
using Docket.Server.Api;
using Docket.Server.Features.Duplicates;
using Docket.Server.Processing;

namespace Docket.Server.Features.Documents;

public sealed record UploadedDocument(
    Guid Id, string Filename, string FileType, long SizeBytes, string Sha256, DocumentStatus Status, Guid JobId,
    Guid? DuplicateOf, DocumentLinks Links);

public sealed record UploadResponse(IReadOnlyList<UploadedDocument> Documents);

public sealed record DocumentLinks(string Self, string Status, string Stream, string Result, string File)
{
    public static DocumentLinks For(Guid id) => new(
        $"/api/v1/documents/{id}", $"/api/v1/documents/{id}/status", $"/api/v1/documents/{id}/stream",
        $"/api/v1/documents/{id}/result", $"/api/v1/documents/{id}/file");
}

public sealed record DocumentSummary(
    Guid Id, string Filename, string FileType, long SizeBytes, DocumentStatus Status, string? Title, string? Category,
    Guid? CurrentJobId, int Progress, string? Stage, string? FailureReason, int Version,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinalizedAt);

/// <summary>
/// One page. When <c>TotalIsExact</c> is false, counting stopped early: there are more than
/// <c>Total</c> items, and <c>TotalPages</c> counts the pages known to exist, at least one past this one.
/// </summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, int TotalPages, bool TotalIsExact);

public sealed record JobView(
    Guid Id, Guid DocumentId, JobState State, int Attempt, int MaxAttempts, string? Stage, int Progress,
    bool CancelRequested, string? LastError, Guid? RetryOf, DateTimeOffset CreatedAt, DateTimeOffset ScheduledAt,
    DateTimeOffset? AttemptedAt, string? AttemptedBy, DateTimeOffset? FinalizedAt, JsonElement Errors, string? StartStage = null)
{
    public static JobView From(Job job) => new(
        job.Id, job.DocumentId, job.State, job.Attempt, job.MaxAttempts, job.Stage, job.Progress, job.CancelRequested,
        job.LastError, job.RetryOf, job.CreatedAt, job.ScheduledAt, job.AttemptedAt, job.AttemptedBy, job.FinalizedAt,
        JsonDocument.Parse(job.Errors).RootElement.Clone(), job.StartStage);
}

/// <summary>The reviewer's edits. A field set to null means the reviewer cleared it.</summary>
public sealed record ReviewEdits(
    IReadOnlyDictionary<string, string?> Fields, string? Title, string? Category, string? Notes)
{
    public static ReviewEdits? Parse(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<ReviewEdits>(json, ApiJson.Options);

    public string ToJson() => JsonSerializer.Serialize(this, ApiJson.Options);
}

public sealed record ReviewView(ReviewEdits Edits, DateTimeOffset? ReviewedAt, Guid? ReviewedBy);

/// <summary>A field as the reviewer sees it: the machine's value beside the reviewer's, and which one counts.</summary>
public sealed record FieldView(
    string? Value, string? MachineValue, string? ReviewedValue, bool Edited, string? Type, double? Confidence,
    Core.Pipeline.FieldSource? Source);

/// <param name="Duplicates">
/// The owner's other documents that hold the same invoice, each with its warning; looked up when the document is
/// shown, so always current. Empty for a result that is not the document's current one.
/// </param>
public sealed record ResultView(
    Guid Id, int Version, Guid JobId, DateTimeOffset CreatedAt, ResultData Data,
    IReadOnlyDictionary<string, FieldView> Fields, string? Title, string? Category, IReadOnlyList<DuplicateView> Duplicates);

public sealed record DocumentDetail(
    Guid Id, string Filename, string FileType, string ContentType, long SizeBytes, string Sha256, DocumentStatus Status,
    string? Title, string? Category, string? FailureReason, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ProcessedAt, DateTimeOffset? FinalizedAt, JobView? CurrentJob, ResultView? Result, ReviewView? Review,
    IReadOnlyList<JobEvent> Events, IReadOnlyList<DocumentStatus> AllowedTransitions, DocumentLinks Links);

public sealed record DocumentStatusView(
    Guid Id, DocumentStatus Status, Guid? CurrentJobId, JobState? JobState, string? Stage, int Progress,
    string? FailureReason, int Version, DateTimeOffset UpdatedAt);

public sealed record ResultDocument(
    Guid DocumentId, DocumentStatus Status, int Version, ResultView Result, string Text, ReviewView? Review,
    IReadOnlyList<ResultVersionInfo> Versions);

public sealed record ResultVersionInfo(Guid Id, int Version, Guid JobId, DateTimeOffset CreatedAt);

public static class DocumentViews
{
    public static ResultView Result(ResultVersion result, ReviewEdits? review, IReadOnlyList<DuplicateView>? duplicates = null)
    {
        var data = ResultData.Parse(result.Data);
        var fields = new Dictionary<string, FieldView>();
        foreach (var (name, field) in data.Fields)
        {
            var edited = review?.Fields.ContainsKey(name) == true;
            var reviewed = edited ? review!.Fields[name] : null;
            fields[name] = new FieldView(edited ? reviewed : field.Value, field.Value, reviewed, edited, field.Type,
                field.Confidence, field.Source);
        }
        if (review is not null)
            foreach (var (name, value) in review.Fields.Where(f => !data.Fields.ContainsKey(f.Key)))
                fields[name] = new FieldView(value, null, value, true, null, null, null);
        return new ResultView(result.Id, result.Version, result.JobId, result.CreatedAt, data, fields,
            review?.Title ?? data.Title, review?.Category ?? data.Category.Name, duplicates ?? []);
    }

    public static ReviewView? Review(Document document) =>
        ReviewEdits.Parse(document.Review) is { } edits ? new ReviewView(edits, document.ReviewedAt, document.ReviewedBy) : null;

    public static string ETag(int version) => $"\"{version}\"";
}
