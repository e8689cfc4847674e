using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Analysis;

namespace Docket.Core.Tests.Pipeline;

public sealed class AnalyseStageTests
{
    private static DocumentAnalysis Analyse(string text, params int[] pageStarts) =>
        TextAnalyser.Analyse(new ExtractedText(text, pageStarts.Length == 0 ? [0] : pageStarts, "native"));

    [Fact]
    public void Analyse_CountsPagesWordsLinesAndCharacters()
    {
        var analysis = Analyse("One two three.\n\n| --- |\nfour-five 6\n", 0, 20);

        Assert.Equal(2, analysis.Pages);
        Assert.Equal(5, analysis.Words);
        Assert.Equal(4, analysis.Lines);
        Assert.Equal(36, analysis.Characters);
    }

    [Fact]
    public void Analyse_GivesZeroCounts_ForAnEmptyText()
    {
        var analysis = Analyse("");
        Assert.Equal((0, 0, 0, null, ""), (analysis.Words, analysis.Lines, analysis.Characters, analysis.Title, analysis.Summary));
    }

    [Fact]
    public void Analyse_TakesTheTitle_FromTheFirstMarkdownHeading()
    {
        var analysis = Analyse("Some preamble line\n\n## The **Real** Title ##\n\n# Later heading\n");
        Assert.Equal("The Real Title", analysis.Title);
    }

    [Fact]
    public void Analyse_TakesTheTitle_FromAJsonTitleLine()
    {
        var analysis = Analyse("document_type: spec\ntitle: Microservices Design\nversion: 2\n");
        Assert.Equal("Microservices Design", analysis.Title);
    }

    [Fact]
    public void Analyse_TakesTheTitle_FromTheFirstShortLine_SkippingRulesAndSalutations()
    {
        Assert.Equal("Annual Report 2024", Analyse("=====\n\nAnnual Report 2024\nBody text here.").Title);
        Assert.Equal("Re: Project Phoenix", Analyse("Dear Ms. Johnson,\n\nRe: Project Phoenix\n").Title);
    }

    [Fact]
    public void Analyse_HasNoTitle_WhenTheFirstLineIsTooLong()
    {
        Assert.Null(Analyse(new string('x', 200) + "\nshort").Title);
    }

    [Fact]
    public void Analyse_SummarisesWithTheHighestScoringSentences_InTheirOriginalOrder()
    {
        var text = """
            Lunch was served at noon in the small cafeteria downstairs.
            Cloud migration reduced cloud costs, and the cloud team finished the cloud migration early.
            The room for the cloud review was booked on Monday.
            The next cloud migration phase moves the remaining databases to the cloud.
            """;

        var summary = Analyse(text).Summary;

        Assert.StartsWith("Cloud migration reduced cloud costs", summary);
        Assert.Contains("The next cloud migration phase", summary);
        Assert.True(summary.IndexOf("Cloud migration reduced", StringComparison.Ordinal) < summary.IndexOf("The next cloud", StringComparison.Ordinal));
        Assert.DoesNotContain("Lunch", summary);
        Assert.InRange(summary.Length, 1, TextAnalyser.MaxSummaryLength);
    }

    [Fact]
    public void Analyse_KeepsTheSummaryUnder400Characters()
    {
        var sentence = string.Join(' ', Enumerable.Repeat("budget planning review", 20)) + ".";
        var summary = Analyse(sentence + "\n\n" + sentence).Summary;
        Assert.InRange(summary.Length, 1, TextAnalyser.MaxSummaryLength);
    }

    [Fact]
    public void Analyse_PicksKeywords_ByFrequency_WithoutStopwordsNumbersOrShortWords()
    {
        var analysis = Analyse("The invoice and the invoice and the payment. 2024 2024 2024 ab ab ab. Payment for the invoice, Zahlung.");

        Assert.Equal(["invoice", "payment", "zahlung"], analysis.Keywords);
    }

    [Fact]
    public void Analyse_ReturnsAtMostEightKeywords()
    {
        var analysis = Analyse("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo");
        Assert.Equal(8, analysis.Keywords.Count);
        Assert.Equal("alpha", analysis.Keywords[0]);
    }

    [Theory]
    [InlineData("This is the report of the team, and it is about the work that we have done in the year.", "en")]
    [InlineData("Der Bericht ist für die Mitarbeiter und wurde von dem Team mit der Hilfe des Vorstands erstellt.", "de")]
    [InlineData("Le rapport est pour les employés et il a été fait par une équipe avec les moyens de la direction.", "fr")]
    public void Analyse_GuessesTheLanguage_FromStopwords(string text, string language)
    {
        Assert.Equal(language, Analyse(text).Language);
    }

    [Fact]
    public void Analyse_LeavesTheLanguageOpen_WithoutEnoughEvidence()
    {
        Assert.Null(Analyse("SUMME 78,42 EUR\nEC-Karte 78,42 EUR").Language);
    }

    [Fact]
    public void Analyse_IsDeterministic()
    {
        var text = File.ReadAllText(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-report.txt"));
        Assert.Equal(Analyse(text), Analyse(text), new AnalysisComparer());
    }

    private sealed class AnalysisComparer : IEqualityComparer<DocumentAnalysis>
    {
        public bool Equals(DocumentAnalysis? a, DocumentAnalysis? b) =>
            a! with { Keywords = [] } == b! with { Keywords = [] } && a.Keywords.SequenceEqual(b.Keywords);

        public int GetHashCode(DocumentAnalysis obj) => obj.Words;
    }
}
