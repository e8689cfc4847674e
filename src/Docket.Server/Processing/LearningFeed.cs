using Docket.Core.Documents;
using Docket.Core.Learning;
using Docket.Data.Model;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Processing;

public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>How often a process looks for documents finalised elsewhere (another API node).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far back each poll looks again: nodes' clocks differ and a finalisation stamped earlier may commit later.
    /// Documents already learned inside the window are skipped by id.
    /// </summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most recent finalised documents replayed at start-up; older lessons age out.</summary>
    public int MaxExamples { get; set; } = 10_000;

    /// <summary>Learners see at most this much of a document's text; the head carries what classifies it.</summary>
    public int MaxTextChars { get; set; } = 50_000;
}

/// <summary>
/// Feeds every <see cref="ILearner"/> the documents people finalise. The learners hold no state of their own
/// on disk: at start-up they are rebuilt from the most recent finalised documents, then each newly finalised
/// one is fed once, in finalisation order. So a lesson survives restarts, reaches every process (workers poll),
/// and cannot be lost between a finalise and a crash: the finalised document is the record.
/// </summary>
public sealed class LearningFeed(
    IServiceScopeFactory scopes,
    IEnumerable<ILearner> learners,
    IOptions<LearningOptions> options,
    TimeProvider clock,
    ILogger<LearningFeed> log) : BackgroundService
{
    private const int DetailBatch = 100;

    private readonly ILearner[] _learners = [.. learners];
    private readonly LearningOptions _options = options.Value;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Ids learned whose finalisation falls inside the overlap window, so a re-read skips them.</summary>
    private readonly Dictionary<Guid, DateTimeOffset> _recent = [];
    private DateTimeOffset? _newest;
    private bool _replayed;

    /// <summary>Learns every finalised document not yet learned. Approve calls this so its own lesson applies at once.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (_learners.Length == 0) return;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            if (!_replayed)
            {
                await ReplayRecentAsync(db, cancellationToken);
                _replayed = true;
            }
            else
            {
                await LearnNewAsync(db, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// For a finalise request: its lesson applies to the next upload at once. Failing here does not undo the
    /// finalisation; the background poll picks the document up.
    /// </summary>
    public async Task TryCatchUpAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            log.LogWarning(error, "Could not learn from the finalised document now; the background poll will.");
        }
    }

    /// <summary>Replays before the worker starts claiming, so the first document after a restart already benefits.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CatchUpAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            log.LogWarning(error, "Could not replay finalised documents into the learners; retrying in the background.");
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_learners.Length == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PollInterval, clock, stoppingToken);
                await CatchUpAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                log.LogWarning(error, "Could not read newly finalised documents; trying again in {Interval}.", _options.PollInterval);
            }
        }
    }

    private async Task ReplayRecentAsync(DocketDbContext db, CancellationToken cancellationToken)
    {
        var recent = await MostRecentlyFinalised(db, _options.MaxExamples).ToListAsync(cancellationToken);
        recent.Reverse();
        await LearnAsync(db, recent, cancellationToken);
        if (recent.Count > 0) log.LogInformation("Learned from {Count} finalised documents.", recent.Count);
    }

    private async Task LearnNewAsync(DocketDbContext db, CancellationToken cancellationToken)
    {
        var since = _newest is { } newest ? newest - _options.Overlap : DateTimeOffset.MinValue;
        var stamps = await FinalisedSince(db, since).ToListAsync(cancellationToken);
        await LearnAsync(db, [.. stamps.Where(stamp => !_recent.ContainsKey(stamp.Id))], cancellationToken);
    }

    // Both read ix_documents_finalized: every process that runs a worker runs the second every poll interval.
    internal static IQueryable<Stamp> MostRecentlyFinalised(DocketDbContext db, int count) =>
        Finalised(db).OrderByDescending(d => d.FinalizedAt).ThenByDescending(d => d.Id).Take(count)
            .Select(d => new Stamp(d.Id, d.FinalizedAt!.Value));

    internal static IQueryable<Stamp> FinalisedSince(DocketDbContext db, DateTimeOffset since) =>
        Finalised(db).Where(d => d.FinalizedAt >= since).OrderBy(d => d.FinalizedAt).ThenBy(d => d.Id)
            .Select(d => new Stamp(d.Id, d.FinalizedAt!.Value));

    private static IQueryable<Document> Finalised(DocketDbContext db) =>
        db.Documents.AsNoTracking().Where(d => d.Status == DocumentStatus.Finalized && d.FinalizedAt != null);

    private async Task LearnAsync(DocketDbContext db, IReadOnlyList<Stamp> stamps, CancellationToken cancellationToken)
    {
        foreach (var batch in stamps.Chunk(DetailBatch))
        {
            var ids = batch.Select(stamp => stamp.Id).ToList();
            var rows = await (
                    from document in db.Documents.AsNoTracking()
                    where ids.Contains(document.Id)
                    join result in db.Results.AsNoTracking() on document.CurrentResultId equals result.Id
                    select new Row(document.Id, document.OwnerId, document.Filename, document.Review, result.Content, result.Data))
                .ToDictionaryAsync(row => row.Id, cancellationToken);
            foreach (var stamp in batch)
            {
                // A finalised document always has a result; one without is skipped rather than stalling the feed.
                if (rows.TryGetValue(stamp.Id, out var row)) Teach(Example(row, stamp.FinalizedAt));
                Remember(stamp);
            }
        }
    }

    private FinalisedExample Example(Row row, DateTimeOffset finalizedAt)
    {
        var data = ResultData.Parse(row.Data);
        var review = ReviewEdits.Parse(row.Review);
        var finalFields = data.Fields.ToDictionary(field => field.Key, field => (string?)field.Value.Value);
        foreach (var (name, value) in review?.Fields ?? new Dictionary<string, string?>()) finalFields[name] = value;
        var text = row.Content.Length > _options.MaxTextChars ? row.Content[.._options.MaxTextChars] : row.Content;
        return new FinalisedExample(row.Id, row.OwnerId, row.Filename, text, data.Category.Name,
            review?.Category ?? data.Category.Name, data.Fields, finalFields, finalizedAt);
    }

    private void Teach(FinalisedExample example)
    {
        foreach (var learner in _learners)
        {
            try
            {
                learner.Learn(example);
            }
            catch (Exception error)
            {
                // One learner's bug must not keep the others (or later documents) from learning.
                log.LogWarning(error, "{Learner} could not learn from document {DocumentId}.", learner.GetType().Name, example.DocumentId);
            }
        }
    }

    private void Remember(Stamp stamp)
    {
        _recent[stamp.Id] = stamp.FinalizedAt;
        if (_newest is null || stamp.FinalizedAt > _newest) _newest = stamp.FinalizedAt;
        var forgetBefore = _newest.Value - _options.Overlap;
        if (_recent.Count > 1024)
            foreach (var (id, at) in _recent.Where(entry => entry.Value < forgetBefore).ToList())
                _recent.Remove(id);
    }

    internal sealed record Stamp(Guid Id, DateTimeOffset FinalizedAt);

    private sealed record Row(Guid Id, Guid OwnerId, string Filename, string? Review, string Content, string Data);
}
