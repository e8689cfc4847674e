using Docket.Core.Documents;
using Docket.Data.Events;
using Docket.Data.Jobs;
using Docket.Data.Sqlite;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Processing;

public sealed class RecordingRetryTests
{
    [Fact]
    public async Task ACompletionRetriedAfterAFailure_StoresEachProgressEventOnce()
    {
        await using var factory = DocketFactory.Create(services: services =>
            services.AddSingleton<IJobStore>(sp => new FirstCompletionFailsAfterProgress(ActivatorUtilities.CreateInstance<SqliteJobStore>(sp))));
        var client = factory.CreateAuthenticatedClient(Roles.Admin);

        var (documentId, jobId) = await client.ProcessedTextAsync("note.txt", "A short note, processed in well under 100 ms.");

        var events = (await client.JobEventsAsync(jobId)).Select(e => e.Str("event")).ToList();
        Assert.Equal(events.Distinct(), events);
        Assert.Contains("document_parsing_started", events);
        Assert.Equal("job_completed", events[^1]);
        Assert.Equal("processed", (await client.GetJsonAsync($"/api/v1/documents/{documentId}/status")).Str("status"));
    }

    /// <summary>
    /// As PostgreSQL can fail: the progress a completion carries is stored in a transaction of its own, and then the
    /// completion itself fails (the database went away). Every later call goes through.
    /// </summary>
    private sealed class FirstCompletionFailsAfterProgress(IJobStore inner) : IJobStore
    {
        private int _completions;

        public async Task<bool> CompleteAsync(JobLease lease, ResultToStore result, CancellationToken cancellationToken,
            IReadOnlyList<ProgressUpdate>? progress = null)
        {
            if (Interlocked.Increment(ref _completions) > 1) return await inner.CompleteAsync(lease, result, cancellationToken, progress);
            if (progress is { Count: > 0 }) await inner.ReportProgressAsync(lease, progress, cancellationToken);
            throw new InvalidOperationException("The connection to the database was lost.");
        }

        public Task<IReadOnlyList<EnqueuedJob>> AddDocumentsAsync(IReadOnlyList<NewDocument> documents, CancellationToken cancellationToken) =>
            inner.AddDocumentsAsync(documents, cancellationToken);

        public Task<EnqueueOutcome> EnqueueAsync(Guid documentId, Guid ownerId, IReadOnlyCollection<DocumentStatus> allowedFrom, Guid? retryOf,
            CancellationToken cancellationToken, string? startStage = null) =>
            inner.EnqueueAsync(documentId, ownerId, allowedFrom, retryOf, cancellationToken, startStage);

        public Task<IReadOnlyList<ClaimedJob>> ClaimAsync(string workerId, int limit, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.ClaimAsync(workerId, limit, lease, cancellationToken);

        public Task<LeaseStatus> HeartbeatAsync(JobLease lease, TimeSpan extendBy, CancellationToken cancellationToken) =>
            inner.HeartbeatAsync(lease, extendBy, cancellationToken);

        public Task<bool> ReportProgressAsync(JobLease lease, IReadOnlyList<ProgressUpdate> updates, CancellationToken cancellationToken) =>
            inner.ReportProgressAsync(lease, updates, cancellationToken);

        public Task<FailureOutcome> FailAsync(JobLease lease, string error, string? stage, bool permanent, TimeSpan retryDelay,
            CancellationToken cancellationToken) =>
            inner.FailAsync(lease, error, stage, permanent, retryDelay, cancellationToken);

        public Task<bool> AcknowledgeCancelAsync(JobLease lease, string? stage, CancellationToken cancellationToken) =>
            inner.AcknowledgeCancelAsync(lease, stage, cancellationToken);

        public Task<CancelOutcome> RequestCancelAsync(Guid jobId, Guid? ownerId, CancellationToken cancellationToken) =>
            inner.RequestCancelAsync(jobId, ownerId, cancellationToken);

        public Task<int> RescueExpiredAsync(CancellationToken cancellationToken) => inner.RescueExpiredAsync(cancellationToken);

        public Task<IReadOnlyList<JobEvent>> EventsAsync(EventScope scope, Guid id, long afterId, int limit, CancellationToken cancellationToken) =>
            inner.EventsAsync(scope, id, afterId, limit, cancellationToken);

        public Task<long> LastEventIdAsync(EventScope scope, Guid id, CancellationToken cancellationToken) =>
            inner.LastEventIdAsync(scope, id, cancellationToken);
    }
}
