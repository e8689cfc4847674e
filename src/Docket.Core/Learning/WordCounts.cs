using System.Collections.Concurrent;

namespace Docket.Core.Learning;

/// <summary>
/// Counts per word in a fixed number of columns (one per category, or a single column of document
/// frequencies), written by one learner at a time and read by any number of pipeline threads.
/// <para>
/// Readers never see a half-learned document: they read an immutable <see cref="Snapshot"/>. A
/// snapshot is taken lazily, by the first reader after a change, so feeding a learner thousands of
/// documents at start-up costs no copies at all, and a correction made a moment ago is seen by the
/// very next prediction. Taking one copies the counts (a memory copy, well under a millisecond
/// for tens of thousands of words); the word index is shared, append-only, by all snapshots.
/// </para>
/// </summary>
public sealed class WordCounts
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _rowLookup;
    private int[] _counts;
    private int _rowCount;
    private long _version;
    private Snapshot _published;

    public WordCounts(int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        Columns = columns;
        _counts = new int[256 * columns];
        _rowLookup = _rows.GetAlternateLookup<ReadOnlySpan<char>>();
        _published = new Snapshot(this, 0, [], 0);
    }

    public int Columns { get; }

    /// <summary>Holds the writer's lock until disposed: the counts added inside become visible together.</summary>
    public WriteScope Write()
    {
        _gate.Enter();
        return new WriteScope(this);
    }

    /// <summary>The counts as of the last completed write.</summary>
    public Snapshot Current
    {
        get
        {
            var published = Volatile.Read(ref _published);
            if (published.Version == Volatile.Read(ref _version)) return published;
            lock (_gate)
            {
                if (_published.Version != _version)
                    Volatile.Write(ref _published, new Snapshot(this, _rowCount, _counts.AsSpan(0, _rowCount * Columns).ToArray(), _version));
                return _published;
            }
        }
    }

    public readonly ref struct WriteScope
    {
        private readonly WordCounts _owner;

        internal WriteScope(WordCounts owner) => _owner = owner;

        public void Add(ReadOnlySpan<char> word, int column, int amount = 1)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)_owner.Columns, nameof(column));
            // The row first: adding a word may replace the array.
            var row = _owner.RowOf(word);
            _owner._counts[row * _owner.Columns + column] += amount;
        }

        public void Dispose()
        {
            Volatile.Write(ref _owner._version, _owner._version + 1);
            _owner._gate.Exit();
        }
    }

    private int RowOf(ReadOnlySpan<char> word)
    {
        if (_rowLookup.TryGetValue(word, out var row)) return row;
        row = _rowCount++;
        if (_rowCount * Columns > _counts.Length) Array.Resize(ref _counts, _counts.Length * 2);
        // Published after the row exists, so a reader that finds the word finds its row too (or a row beyond its snapshot).
        _rows[word.ToString()] = row;
        return row;
    }

    public sealed class Snapshot
    {
        private readonly WordCounts _owner;
        private readonly int _rows;
        private readonly int[] _counts;

        internal Snapshot(WordCounts owner, int rows, int[] counts, long version)
        {
            _owner = owner;
            _rows = rows;
            _counts = counts;
            Version = version;
        }

        internal long Version { get; }

        /// <summary>Distinct words counted.</summary>
        public int Words => _rows;

        /// <summary>The word's count in every column; empty when the word had not been seen when this snapshot was taken.</summary>
        public ReadOnlySpan<int> Of(ReadOnlySpan<char> word) =>
            _owner._rowLookup.TryGetValue(word, out var row) && row < _rows
                ? _counts.AsSpan(row * _owner.Columns, _owner.Columns)
                : default;
    }
}
