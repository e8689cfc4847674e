using System.Collections.Concurrent;

namespace Docket.Data.Postgres;

/// <summary>
/// Group commit for one kind of write. While a batch is being written, further calls queue up and
/// go into the next batch together, so under load many callers share one statement and one commit,
/// and a lone caller still waits for no one: its batch starts at once. One batch is in flight at a
/// time per instance. <paramref name="writeBatch"/> settles every entry it is given (its own outcome
/// or its own error); should it throw instead, the entries it left unsettled fail with that error.
/// </summary>
internal sealed class GroupCommit<TItem, TOutcome>(Func<IReadOnlyList<GroupCommit<TItem, TOutcome>.Entry>, Task> writeBatch, int maxBatch)
{
    private readonly ConcurrentQueue<Entry> _queue = new();
    private int _writing;

    public Task<TOutcome> WriteAsync(TItem item)
    {
        var entry = new Entry(item);
        _queue.Enqueue(entry);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0) _ = Task.Run(DrainAsync);
        return entry.Outcome;
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Entry>();
            while (batch.Count < maxBatch && _queue.TryDequeue(out var entry)) batch.Add(entry);
            if (batch.Count > 0)
            {
                try
                {
                    await writeBatch(batch).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    foreach (var entry in batch) entry.Fail(ex);
                }
                continue;
            }

            Volatile.Write(ref _writing, 0);
            // An entry queued after the queue looked empty, but before the flag was cleared, found a
            // drain running and started none: take it on here, unless a new drain already has.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0) return;
        }
    }

    internal sealed class Entry(TItem item)
    {
        private readonly TaskCompletionSource<TOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TItem Item { get; } = item;

        public Task<TOutcome> Outcome => _outcome.Task;

        public void Succeed(TOutcome outcome) => _outcome.TrySetResult(outcome);

        public void Fail(Exception error) => _outcome.TrySetException(error);
    }
}
