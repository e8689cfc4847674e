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
    public void Analyse_ReadsKeywordsAndSummary_FromTheTopOfALongText_ButCountsAllOfIt()
    {
        const string top = "The shipment of timber reached the harbour on time, and the timber was stored in the north warehouse.\n";
        const string rest = "Invoice row for pallets, crates and pallets of pallets.\n";
        var topLines = TextAnalyser.MaxCharactersRead / top.Length;
        var text = string.Concat(Enumerable.Repeat(top, topLines)) + string.Concat(Enumerable.Repeat(rest, 2 * topLines));

        var analysis = Analyse(text);

        // "pallets" is by far the commonest word of the whole text, but only below what is read for terms.
        Assert.Equal("timber", analysis.Keywords[0]);
        Assert.DoesNotContain("pallets", analysis.Keywords);
        Assert.StartsWith("The shipment of timber", analysis.Summary);
        Assert.Equal(3 * topLines, analysis.Lines);
        Assert.Equal(text.Length, analysis.Characters);
        Assert.Equal(topLines * 18 + 2 * topLines * 9, analysis.Words);
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

    [Theory]
    [InlineData("Rechnungsnummer | Rechnungsdatum | Menge | Einzelpreis | Netto | MwSt\n2024-1 | 01.02.2024 | 3 | 10,00 | 30,00 | 5,70\n", "de")]
    [InlineData("invoice_number | customer | quantity | unit_price | amount\nA-1 | Acme | 2 | 5.00 | 10.00\n", "en")]
    [InlineData("type_document: facture\nnumero: F-12\nclient.nom: Dupont\nmontant_ttc: 120,00\ntva: 20,00\n", "fr")]
    [InlineData("BÄCKEREI SCHMIDT\nBeleg 4411\n2 Brötchen 0,90\nSUMME 0,90 EUR\nBar gegeben 5,00\nRückgeld 4,10\nVielen Dank", "de")]
    [InlineData("La factura se envía al cliente con el importe y la fecha de pago, como cada mes.", "es")]
    [InlineData("La fattura è stata inviata al cliente con l'importo e la data di pagamento.", "it")]
    [InlineData("De factuur is naar de klant gestuurd met het bedrag en de datum van betaling.", "nl")]
    public void Analyse_NamesTheLanguage_OfTablesReceiptsAndDataToo(string text, string language)
    {
        Assert.Equal(language, Analyse(text).Language);
    }

    [Fact]
    public void Analyse_DoesNotTakeCountryCodes_ForFrenchWords()
    {
        var text = "Hetzner GmbH\nUSt-IdNr. DE 199 952 957\nIBAN DE54 5004 0000\nRechnung R-1\nDer Betrag wird von Ihrem Konto abgebucht.";
        Assert.Equal("de", Analyse(text).Language);
    }

    [Fact]
    public void Analyse_LeavesTheLanguageOpen_WhenTwoLanguagesAreMixedEvenly()
    {
        Assert.Null(Analyse("The invoice is attached. Die Rechnung ist beigefügt.").Language);
    }

    [Fact]
    public void Analyse_SummarisesRunningText_WithoutLetterheadOrBankLines()
    {
        var text = """
            Alder & Birch Joinery Ltd · 4 Mill Lane · Leeds LS1 4AB · VAT GB 123 4567 89
            IBAN GB29 NWBK 6016 1331 9268 19 · BIC NWBKGB2L · Sort code 60-16-13

            Thank you for choosing us for the kitchen refit at your home in Headingley.
            The worktops were fitted on 3 May and the remaining doors will be delivered next week.
            """;

        var summary = Analyse(text).Summary;

        Assert.StartsWith("Thank you for choosing us", summary);
        Assert.DoesNotContain("IBAN", summary);
        Assert.DoesNotContain("Mill Lane", summary);
    }

    [Fact]
    public void Analyse_SummarisesACsvExport_ByItsRows_NotItsHeader()
    {
        var text = "Invoice | Date | Item | Quantity | Amount\nA-17 | 2024-03-01 | Oak table | 1 | 940.00\nA-17 | 2024-03-01 | Delivery | 1 | 60.00\n";

        var summary = Analyse(text).Summary;

        Assert.Contains("Oak table", summary);
        Assert.DoesNotContain("Quantity", summary);
    }

    [Fact]
    public void Analyse_ReadsAMarkdownKeyValueTable_AsLabelledValues()
    {
        var summary = Analyse("# Invoice\n\n| | |\n|---|---|\n| Invoice No. | PP-7 |\n| Total | 120.00 |\n").Summary;
        Assert.Contains("Invoice No.: PP-7", summary);
    }

    [Fact]
    public void Analyse_LeavesLetterheadWordsAndCodes_OutOfTheKeywords()
    {
        var analysis = Analyse("Kestrel Supplies Ltd, 4 Dock Street, October 2024. Invoice KOS-2291 for pallets, pallets and crates. Tel 0113 496 0715.");

        Assert.Equal(["pallets", "kestrel", "supplies", "dock", "invoice", "kos", "crates"], analysis.Keywords);
    }

    [Fact]
    public void Analyse_PrefersTermsFewFinalisedDocumentsUse_OnceThereAreSome()
    {
        const string text = "Invoice for scaffolding. Invoice total for the invoice period. Scaffolding hire.";
        Assert.Equal("invoice", Analyse(text).Keywords[0]);

        var frequencies = new DocumentFrequencies();
        for (var i = 0; i < 5; i++)
            frequencies.Learn(new Docket.Core.Learning.FinalisedExample(Guid.NewGuid(), Guid.Empty, "x.txt", $"Invoice {i}: total due for services.",
                "invoice", "invoice", new Dictionary<string, ExtractedField>(), new Dictionary<string, string?>(), DateTimeOffset.UtcNow));

        var keywords = TextAnalyser.Analyse(new ExtractedText(text, [0], "native"), frequencies).Keywords;

        Assert.Equal("scaffolding", keywords[0]);
        Assert.Equal(5, frequencies.Current.Documents);
        Assert.True(frequencies.Current.InverseFrequency("invoice") < frequencies.Current.InverseFrequency("scaffolding"));
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
