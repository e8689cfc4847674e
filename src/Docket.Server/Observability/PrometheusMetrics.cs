using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Docket.Server.Observability;

/// <summary>
/// Collects the measurements of this process's meters (Docket's, and ASP.NET Core's request
/// metrics) with one <see cref="MeterListener"/> and writes them in the Prometheus text format
/// (version 0.0.4). Only meters made by this host's <see cref="IMeterFactory"/> are read, so two
/// hosts in one process (tests) never count each other's work.
/// A measurement finds its series without allocating (a span lookup); a new label combination
/// allocates once. Observable instruments are read when the output is written.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly HashSet<string> ListenedMeters = ["Docket", "Microsoft.AspNetCore.Hosting"];

    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _writing = new();

    public PrometheusMetrics(IMeterFactory meters)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter.Scope, meters) || !ListenedMeters.Contains(instrument.Meter.Name)) return;
                if (InstrumentState.For(instrument) is not { } state) return;
                _instruments[instrument] = state;
                listener.EnableMeasurementEvents(instrument, state);
            },
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out var _),
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentState)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Every metric in the text exposition format, families sorted by name.</summary>
    public string Write()
    {
        lock (_writing)
        {
            foreach (var state in _instruments.Values) if (state.Observable) state.Clear();
            _listener.RecordObservableInstruments();
            var text = new StringBuilder(4096);
            foreach (var family in _instruments.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
                InstrumentState.WriteFamily(text, family.ToList());
            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's series, keyed by its tags as measured.</summary>
    private abstract class InstrumentState
    {
        private readonly ConcurrentDictionary<TagKey, Series> _series = new(TagKeyComparer.Instance);
        private readonly ConcurrentDictionary<TagKey, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _lookup;

        protected InstrumentState(string name, string type, string? help, bool observable)
        {
            Name = name;
            Type = type;
            Help = help;
            Observable = observable;
            _lookup = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        }

        public string Name { get; }
        public string Type { get; }
        public string? Help { get; }

        /// <summary>Read at each scrape; its series are rebuilt then, so a label that stopped being reported disappears.</summary>
        public bool Observable { get; }

        public static InstrumentState? For(Instrument instrument)
        {
            var baseName = Sanitise(instrument.Name) + UnitSuffix(instrument.Unit);
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            var help = instrument.Description;
            if (generic == typeof(Counter<>))
                return new SumState(Total(baseName), "counter", help, observable: false, replace: false);
            if (generic == typeof(ObservableCounter<>))
                return new SumState(Total(baseName), "counter", help, observable: true, replace: true);
            if (generic == typeof(UpDownCounter<>))
                return new SumState(baseName, "gauge", help, observable: false, replace: false);
            if (generic == typeof(Gauge<>))
                return new SumState(baseName, "gauge", help, observable: false, replace: true);
            if (generic == typeof(ObservableUpDownCounter<>) || generic == typeof(ObservableGauge<>))
                return new SumState(baseName, "gauge", help, observable: true, replace: true);
            if (generic == typeof(Histogram<>))
                return new HistogramState(baseName, help, BucketsOf(instrument));
            return null;
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (!_lookup.TryGetValue(tags, out var series))
                series = _series.GetOrAdd(new TagKey(tags.ToArray()), key => NewSeries(Labels(key)));
            Add(series, value);
        }

        public void Clear() => _series.Clear();

        protected abstract Series NewSeries(string labels);

        protected abstract void Add(Series series, double value);

        protected abstract void WriteSeries(StringBuilder text, string labels, IReadOnlyList<Series> series);

        /// <summary>Series whose tags came in another order carry the same labels: they are one series.</summary>
        public static void WriteFamily(StringBuilder text, IReadOnlyList<InstrumentState> states)
        {
            var first = states[0];
            if (first.Help is { Length: > 0 } help) text.Append("# HELP ").Append(first.Name).Append(' ').Append(EscapeHelp(help)).Append('\n');
            text.Append("# TYPE ").Append(first.Name).Append(' ').Append(first.Type).Append('\n');
            foreach (var group in states.SelectMany(s => s._series.Values).GroupBy(s => s.Labels).OrderBy(g => g.Key, StringComparer.Ordinal))
                first.WriteSeries(text, group.Key, group.ToList());
        }

        private static IReadOnlyList<double> BucketsOf(Instrument instrument) => instrument switch
        {
            Histogram<double> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => advised,
            Histogram<long> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => advised.Select(b => (double)b).ToList(),
            Histogram<int> { Advice.HistogramBucketBoundaries: { Count: > 0 } advised } => advised.Select(b => (double)b).ToList(),
            _ => [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
        };

        private static string Labels(TagKey key) =>
            string.Join(',', key.Tags.OrderBy(t => t.Key, StringComparer.Ordinal)
                .Select(t => $"{Sanitise(t.Key)}=\"{EscapeLabel(Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")}\""));
    }

    private abstract class Series(string labels)
    {
        public string Labels { get; } = labels;
    }

    private sealed class SumState(string name, string type, string? help, bool observable, bool replace)
        : InstrumentState(name, type, help, observable)
    {
        protected override Series NewSeries(string labels) => new Cell(labels);

        protected override void Add(Series series, double value)
        {
            var cell = (Cell)series;
            if (replace)
            {
                Volatile.Write(ref cell.Value, value);
                return;
            }
            double seen, sum;
            do
            {
                seen = Volatile.Read(ref cell.Value);
                sum = seen + value;
            } while (Interlocked.CompareExchange(ref cell.Value, sum, seen) != seen);
        }

        protected override void WriteSeries(StringBuilder text, string labels, IReadOnlyList<Series> series)
        {
            var total = series.Sum(s => Volatile.Read(ref ((Cell)s).Value));
            text.Append(Name);
            if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
            text.Append(' ').Append(Number(total)).Append('\n');
        }

        private sealed class Cell(string labels) : Series(labels)
        {
            public double Value;
        }
    }

    private sealed class HistogramState(string name, string? help, IReadOnlyList<double> bounds)
        : InstrumentState(name, "histogram", help, observable: false)
    {
        private readonly double[] _bounds = [.. bounds];

        protected override Series NewSeries(string labels) => new Buckets(labels, _bounds.Length + 1);

        protected override void Add(Series series, double value)
        {
            var buckets = (Buckets)series;
            var index = 0;
            while (index < _bounds.Length && value > _bounds[index]) index++;
            lock (buckets)
            {
                buckets.Counts[index]++;
                buckets.Sum += value;
            }
        }

        protected override void WriteSeries(StringBuilder text, string labels, IReadOnlyList<Series> series)
        {
            var counts = new long[_bounds.Length + 1];
            var sum = 0.0;
            foreach (Buckets buckets in series)
                lock (buckets)
                {
                    for (var i = 0; i < counts.Length; i++) counts[i] += buckets.Counts[i];
                    sum += buckets.Sum;
                }
            var prefix = labels.Length > 0 ? labels + "," : "";
            long cumulative = 0;
            for (var i = 0; i < counts.Length; i++)
            {
                cumulative += counts[i];
                var le = i < _bounds.Length ? Number(_bounds[i]) : "+Inf";
                text.Append(Name).Append("_bucket{").Append(prefix).Append("le=\"").Append(le).Append("\"} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            var braces = labels.Length > 0 ? "{" + labels + "}" : "";
            text.Append(Name).Append("_sum").Append(braces).Append(' ').Append(Number(sum)).Append('\n');
            text.Append(Name).Append("_count").Append(braces).Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        private sealed class Buckets(string labels, int size) : Series(labels)
        {
            public readonly long[] Counts = new long[size];
            public double Sum;
        }
    }

    private sealed class TagKey(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;
        public int Hash { get; } = TagKeyComparer.HashOf(tags);
    }

    private sealed class TagKeyComparer : IEqualityComparer<TagKey>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagKey>
    {
        public static readonly TagKeyComparer Instance = new();

        public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var hash = new HashCode();
            foreach (var tag in tags)
            {
                hash.Add(tag.Key, StringComparer.Ordinal);
                hash.Add(tag.Value);
            }
            return hash.ToHashCode();
        }

        public bool Equals(TagKey? x, TagKey? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Equals(new ReadOnlySpan<KeyValuePair<string, object?>>(x.Tags), y));

        public int GetHashCode(TagKey key) => key.Hash;

        public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> tags, TagKey key)
        {
            if (tags.Length != key.Tags.Length) return false;
            for (var i = 0; i < tags.Length; i++)
                if (!string.Equals(tags[i].Key, key.Tags[i].Key, StringComparison.Ordinal) || !object.Equals(tags[i].Value, key.Tags[i].Value))
                    return false;
            return true;
        }

        public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> tags) => HashOf(tags);

        public TagKey Create(ReadOnlySpan<KeyValuePair<string, object?>> tags) => new(tags.ToArray());
    }

    /// <summary>Metric and label names allow [a-zA-Z0-9_:]; OpenTelemetry names use dots.</summary>
    internal static string Sanitise(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name) builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_');
        if (builder.Length > 0 && char.IsAsciiDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    private static string UnitSuffix(string? unit) => unit switch
    {
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        _ => "",
    };

    private static string Total(string name) => name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total";

    private static string Number(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
