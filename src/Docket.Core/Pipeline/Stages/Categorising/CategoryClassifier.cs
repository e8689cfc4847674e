using Docket.Core.Learning;

namespace Docket.Core.Pipeline.Stages.Categorising;

/// <summary>What the classifier thinks of a text, before it is weighed against the rules.</summary>
/// <param name="Probability">Posterior of <paramref name="Category"/>, tempered (see <see cref="CategoryClassifier.Evidence"/>).</param>
/// <param name="KnownWords">Distinct words of the text the classifier had seen in training.</param>
public sealed record CategoryPrediction(string Category, double Probability, int KnownWords);

/// <summary>
/// Multinomial naive Bayes over the distinct words of a document, trained on the categories people
/// finalised, learning as they finalise (<see cref="ILearner"/>).
/// <para>
/// It reviews the rules' verdict rather than replacing it. Trained on the few dozen documents of a
/// young installation, mostly invoices, naive Bayes is often wrong and always sure of itself, while
/// the rules know every category from the start. So the classifier overrules the rules in two cases only:
/// </para>
/// <list type="bullet">
/// <item>Reviewers corrected the rules' category X to Y before, and this document is far more like
/// the documents corrected to Y than like the documents finalised as X (a two-way naive Bayes between
/// those two groups). A correction teaches "documents like this one are Y", no more: it does not
/// make every X a Y, and the next statement from the supplier whose statements were corrected follows it.</item>
/// <item>The rules found nothing, and the classifier is sure.</item>
/// </list>
/// Either way it says nothing until it has seen <see cref="MinExamples"/> finalised documents.
/// </summary>
public sealed class CategoryClassifier : ILearner
{
    public const string Method = "classifier";

    /// <summary>Finalised documents needed before the classifier says anything.</summary>
    public const int MinExamples = 8;

    /// <summary>How sure the classifier must be to overrule the rules; naive Bayes is sure too easily for less.</summary>
    public const double OverruleProbability = 0.99;

    /// <summary>
    /// Naive Bayes multiplies one likelihood per word as if words were independent, which makes a long
    /// document look like overwhelming evidence for whatever it leans to. The summed log-likelihoods
    /// are scaled so that a document weighs as this many words at most: its average word decides.
    /// </summary>
    public const double Evidence = 24;

    /// <summary>Additive smoothing: a word never seen in a category is rare there, not impossible. Below 1
    /// because the categories are small next to the vocabulary, which Laplace's 1 would let drown them.</summary>
    private const double Smoothing = 0.1;

    /// <summary>Beyond this many distinct words a document has shown what it is; the rest only costs time.</summary>
    private const int MaxWords = 1500;

    private static readonly int CategoryCount = Categories.All.Count;

    // Columns 0..n-1 count documents finalised in each category; columns n..2n-1 count, again, those
    // of them that a reviewer corrected (finalised in a category other than the machine's).
    private static int CorrectedTo(int category) => CategoryCount + category;

    // Pseudo-words that cannot occur in text (tokens are letters and digits) hold the per-column
    // totals and, per machine category, the categories reviewers corrected it to.
    private const string DocumentsRow = "\u0001documents";
    private const string WordsRow = "\u0001words";
    private static readonly string[] CorrectedFromRows = Categories.All.Select(category => "\u0001corrected from " + category).ToArray();

    private readonly WordCounts _counts = new(2 * Categories.All.Count);

    /// <summary>Finalised documents learned from.</summary>
    public int Examples
    {
        get
        {
            var documents = _counts.Current.Of(DocumentsRow);
            var total = 0;
            for (var c = 0; c < Math.Min(documents.Length, CategoryCount); c++) total += documents[c];
            return total;
        }
    }

    public void Learn(FinalisedExample example)
    {
        var final = IndexOf(example.FinalCategory);
        if (final < 0) return; // a category this build does not know teaches nothing

        var machine = IndexOf(example.MachineCategory);
        var corrected = machine >= 0 && machine != final;
        var words = DistinctWords(new WordTokens(example.Text));
        using var write = _counts.Write();
        foreach (var column in corrected ? [final, CorrectedTo(final)] : (ReadOnlySpan<int>)[final])
        {
            write.Add(DocumentsRow, column);
            write.Add(WordsRow, column, words.Count);
            foreach (var word in words) write.Add(word, column);
        }

        if (corrected) write.Add(CorrectedFromRows[machine], final);
    }

    /// <summary>The most likely finalised category; null until there are enough examples of at least two categories.</summary>
    public CategoryPrediction? Predict(WordTokens text) =>
        Evaluate(text, _counts.Current) is { } evaluation ? evaluation.Best() : null;

    /// <summary>The rules' verdict, or the classifier's where it may overrule them (see the class summary).</summary>
    public Categorisation Review(WordTokens text, Categorisation byRules)
    {
        var model = _counts.Current;
        if (Evaluate(text, model) is not { } evaluation) return byRules;

        var rules = IndexOf(byRules.Category);
        var correctedTo = rules < 0 ? default : model.Of(CorrectedFromRows[rules]);
        for (var y = 0; y < correctedTo.Length; y++)
        {
            if (y >= CategoryCount || correctedTo[y] == 0) continue;
            var likeCorrected = evaluation.Posterior(CorrectedTo(y), rules);
            if (likeCorrected >= OverruleProbability)
                return new Categorisation(Categories.All[y], Math.Round(likeCorrected, 2), Method);
        }

        var prediction = evaluation.Best();
        if (prediction.Category == byRules.Category)
            // Agreement: the rules would have decided so alone; the classifier only adds its confidence.
            return byRules with { Confidence = Math.Round(Math.Max(byRules.Confidence, prediction.Probability), 2) };

        var rulesFoundNothing = byRules.Confidence <= RuleCategoriser.UnknownConfidence;
        return rulesFoundNothing && prediction.Probability >= OverruleProbability
            ? new Categorisation(prediction.Category, Math.Round(prediction.Probability, 2), Method)
            : byRules;
    }

    /// <summary>Tempered log-scores of a text for every column with documents.</summary>
    private sealed class Evaluation(double[] scores, int knownWords)
    {
        /// <summary>The best finalised category against all the others.</summary>
        public CategoryPrediction Best()
        {
            var best = 0;
            for (var c = 1; c < CategoryCount; c++)
                if (scores[c] > scores[best]) best = c;

            double sum = 0;
            for (var c = 0; c < CategoryCount; c++)
                if (!double.IsNegativeInfinity(scores[c])) sum += Math.Exp(scores[c] - scores[best]);
            return new CategoryPrediction(Categories.All[best], 1 / sum, knownWords);
        }

        /// <summary>Column <paramref name="a"/> against column <paramref name="b"/> alone; 0 when either is empty.</summary>
        public double Posterior(int a, int b) =>
            double.IsNegativeInfinity(scores[a]) || double.IsNegativeInfinity(scores[b]) ? 0 : 1 / (1 + Math.Exp(scores[b] - scores[a]));
    }

    private static Evaluation? Evaluate(WordTokens text, WordCounts.Snapshot model)
    {
        var documents = model.Of(DocumentsRow);
        if (documents.IsEmpty) return null;

        int finalised = 0, categories = 0;
        for (var c = 0; c < CategoryCount; c++)
        {
            finalised += documents[c];
            if (documents[c] > 0) categories++;
        }

        if (finalised < MinExamples || categories < 2) return null;

        var columns = documents.Length;
        var words = model.Of(WordsRow);
        Span<double> logDenominator = stackalloc double[columns];
        for (var c = 0; c < columns; c++)
            logDenominator[c] = Math.Log(words[c] + Smoothing * model.Words);

        Span<double> likelihood = stackalloc double[columns];
        likelihood.Clear();
        var knownWords = 0;
        foreach (var word in DistinctWords(text))
        {
            var counts = model.Of(word);
            // A word no finalised document had says nothing about any category.
            if (counts.IsEmpty) continue;
            knownWords++;
            for (var c = 0; c < columns; c++)
                if (documents[c] > 0) likelihood[c] += Math.Log(counts[c] + Smoothing) - logDenominator[c];
        }

        var scale = knownWords <= Evidence ? 1 : Evidence / knownWords;
        var scores = new double[columns];
        for (var c = 0; c < columns; c++)
            scores[c] = documents[c] > 0
                ? Math.Log((double)documents[c] / finalised) + scale * likelihood[c]
                : double.NegativeInfinity;
        return new Evaluation(scores, knownWords);
    }

    /// <summary>Distinct words of two letters or more, without digits: codes, amounts and dates name one document, not a kind.</summary>
    private static HashSet<string> DistinctWords(WordTokens text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var lookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var token in text.Tokens)
        {
            if (token.Length < 2 || (token.Flags & TokenFlags.Number) != 0) continue;
            var word = text.TextOf(token);
            if (word.ContainsAny(Digits)) continue;
            lookup.Add(word);
            if (words.Count == MaxWords) break;
        }

        return words;
    }

    private static int IndexOf(string category)
    {
        for (var i = 0; i < CategoryCount; i++)
            if (Categories.All[i] == category) return i;
        return -1;
    }

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");
}
