using Docket.Core.Learning;

namespace Docket.Core.Pipeline.Stages.Analysis;

/// <summary>
/// In how many finalised documents each keyword term occurs: the "IDF" of TF-IDF keywords, so
/// that words every invoice has ("invoice", "total") give way to what sets one document apart.
/// <para>
/// "Documents seen so far" means finalised documents, not every document processed: the learning
/// feed gives every process (API nodes, any number of workers) the same finalised documents in the
/// same order, so all of them weigh terms alike, and a restart rebuilds the same counts from the
/// database. Counting what each worker happened to process would give each process its own keywords
/// for the same text, and lose the counts at every restart.
/// </para>
/// </summary>
public sealed class DocumentFrequencies : ILearner
{
    private const string DocumentsRow = "\u0001documents";

    private readonly WordCounts _counts = new(columns: 1);

    public void Learn(FinalisedExample example)
    {
        var terms = TextAnalyser.KeywordTerms(example.Text);
        using var write = _counts.Write();
        write.Add(DocumentsRow, 0);
        foreach (var term in terms) write.Add(term, 0);
    }

    public Snapshot Current => new(_counts.Current);

    public readonly struct Snapshot(WordCounts.Snapshot counts)
    {
        private readonly int _documents = counts.Of(DocumentsRow) is { IsEmpty: false } documents ? documents[0] : 0;

        public int Documents => _documents;

        /// <summary>Smoothed IDF, ln((1 + N) / (1 + df)) + 1: 1 for a term in every document (and for all terms before any).</summary>
        public double InverseFrequency(ReadOnlySpan<char> term)
        {
            var containing = counts.Of(term) is { IsEmpty: false } frequency ? frequency[0] : 0;
            return Math.Log((1.0 + _documents) / (1.0 + containing)) + 1;
        }
    }
}
