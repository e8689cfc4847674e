using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;

namespace Docket.Core.Tests.Pipeline.Fields;

/// <summary>The pieces of the learned field scorer: labels, the page grid, candidates, trees and calibration.</summary>
public sealed class FieldRankingTests
{
    [Theory]
    [InlineData("Fälligkeitsdatum:", "falligkeitsdatum")]
    [InlineData("  DATA WYSTAWIENIA ", "data wystawienia")]
    [InlineData("Sp. z o.o.", "sp z o o")]
    [InlineData("Straße", "strasse")]
    [InlineData("Łódź", "lodz")]
    [InlineData("Næstved Ø", "naestved o")]
    public void Labels_AreComparedWithoutCaseAccentsOrPunctuation(string text, string normalised)
    {
        Assert.Equal(normalised, LabelLexicon.Normalise(text));
    }

    [Theory]
    [InlineData("Factuurnummer:", LabelKind.Number)]
    [InlineData("Fecha de vencimiento", LabelKind.DueDate)]
    [InlineData("Totale documento", LabelKind.Total)]
    [InlineData("Razem do zapłaty", LabelKind.Total)]
    [InlineData("Wechselgeld", LabelKind.Payment)]
    [InlineData("Rechnungsempfänger", LabelKind.Buyer)]
    [InlineData("Moms 25 %", LabelKind.Tax)]
    [InlineData("Eräpäivä", LabelKind.DueDate)]
    public void ALabel_IsKnownInTheLanguagesDocketReads(string text, LabelKind kind)
    {
        Assert.True(LabelLexicon.Has(LabelLexicon.KindsIn(LabelLexicon.Normalise(text)), kind));
    }

    [Fact]
    public void AWordThatMerelyContainsALabel_IsNoLabel()
    {
        Assert.Equal(0, LabelLexicon.KindsIn(LabelLexicon.Normalise("Totalitarian")));
    }

    [Theory]
    [InlineData("Nordlicht Handel GmbH", true)]
    [InlineData("Kowalski Serwis Sp. z o.o.", true)]
    [InlineData("KEDAI RUNCIT MAJU SDN BHD", true)]
    [InlineData("Hoofdstraat 12", false)]
    public void ALegalForm_IsFoundWhereverTheNameHasIt(string name, bool expected)
    {
        Assert.Equal(expected, LabelLexicon.HasLegalForm(LabelLexicon.Normalise(name)));
    }

    private const string DutchInvoice = """
        Bakkerij De Gouden Korenaar B.V.
        Molenweg 7, 3512 AB Utrecht

        Factuur aan:                               Factuurnummer:   F-2031
        Van Dijk Catering                          Factuurdatum:    03-11-2025
        Kerkstraat 88                              Vervaldatum:     03-12-2025
        1017 GC Amsterdam

        Omschrijving                  Aantal     Prijs      Bedrag
        Broodjes assorti                  40      0,85       34,00
        Taart appel                        2     18,50       37,00

                                         Subtotaal             71,00
                                         BTW 9%                 6,39
                                         Totaal                77,39
        """;

    private static Dictionary<string, List<FieldCandidate>> CandidatesOf(string text) =>
        InvoiceFieldExtractor.Candidates(new ExtractedText(text, [0], "pdftotext"))!;

    [Fact]
    public void TheGrid_SplitsColumnsAtWideGaps_AndReadsTheLabelLeftOfAValue()
    {
        var lines = TextLine.Split(DutchInvoice);
        var grid = new PageGrid(DutchInvoice, lines, [0]);
        var line = grid.Lines.Single(l => DutchInvoice.AsSpan(l.Start, l.End - l.Start).Contains("F-2031", StringComparison.Ordinal));

        Assert.Equal(["Factuur aan:", "Factuurnummer:", "F-2031"], line.Cells.Select(c => DutchInvoice[c.Start..c.End]));
        var (left, _) = grid.LabelsLeftOf(line, DutchInvoice.IndexOf("F-2031", StringComparison.Ordinal));
        Assert.True(LabelLexicon.Has(left, LabelKind.Number));
        Assert.False(LabelLexicon.Has(left, LabelKind.Buyer));
    }

    [Fact]
    public void TheGrid_ReadsATableHeaderOverItsColumn()
    {
        var lines = TextLine.Split(DutchInvoice);
        var grid = new PageGrid(DutchInvoice, lines, [0]);
        var row = grid.Lines.Single(l => DutchInvoice.AsSpan(l.Start, l.End - l.Start).Contains("Broodjes", StringComparison.Ordinal));
        var price = DutchInvoice.IndexOf("0,85", StringComparison.Ordinal) - row.Start;

        var (above, rows) = grid.LabelsAbove(row, price, price + 4);

        Assert.True(LabelLexicon.Has(above, LabelKind.Quantity));
        Assert.Equal(1, rows);
    }

    [Fact]
    public void EveryFieldsValue_IsAmongItsCandidates_WithAsManyFeaturesAsItsScorerNames()
    {
        var candidates = CandidatesOf(DutchInvoice);

        Assert.Contains(candidates[FieldNames.Total], c => c.Value == "77.39");
        Assert.Contains(candidates[FieldNames.Date], c => c.Value == "2025-11-03");
        Assert.Contains(candidates[FieldNames.InvoiceNumber], c => c.Value == "F-2031");
        Assert.Contains(candidates[FieldNames.Issuer], c => c.Value == "Bakkerij De Gouden Korenaar B.V.");
        foreach (var field in FieldCandidates.Fields)
        foreach (var candidate in candidates[field])
            Assert.Equal(FieldCandidates.FeatureNames(FieldCandidates.KindOf(field)).Count, candidate.Features.Length);
    }

    [Fact]
    public void AnAmountsFeatures_SayItIsTheSumOfTwoOthers_AndWhichLabelIsLeftOfIt()
    {
        var candidates = CandidatesOf(DutchInvoice);
        var names = FieldCandidates.FeatureNames(FieldCandidates.Kind.Amount).ToList();
        var total = candidates[FieldNames.Total].Single(c => c.Value == "77.39");
        var tax = candidates[FieldNames.Total].Single(c => c.Value == "6.39");

        Assert.Equal(1, total.Features[names.IndexOf("is_sum_of_two")]);
        Assert.Equal(1, total.Features[names.IndexOf("left_total")]);
        Assert.Equal(1, tax.Features[names.IndexOf("is_part_of_sum")]);
        Assert.Equal(1, tax.Features[names.IndexOf("is_rate_of_other")]);
        Assert.Equal(1, tax.Features[names.IndexOf("left_tax")]);
    }

    [Fact]
    public void ANameUnderABuyerLabel_SaysSo()
    {
        var candidates = CandidatesOf(DutchInvoice);
        var names = FieldCandidates.FeatureNames(FieldCandidates.Kind.Name).ToList();
        var buyer = candidates[FieldNames.Issuer].Single(c => c.Value == "Van Dijk Catering");
        var seller = candidates[FieldNames.Issuer].Single(c => c.Value == "Bakkerij De Gouden Korenaar B.V.");

        Assert.Equal(1, buyer.Features[names.IndexOf("buyer_above_block")]);
        Assert.Equal(0, seller.Features[names.IndexOf("buyer_above_block")]);
        Assert.Equal(1, seller.Features[names.IndexOf("legal_form")]);
    }

    [Fact]
    public void AShopNameOverTwoLines_AndANameWithItsRegistrationNumber_AreCandidatesAsNamed()
    {
        var candidates = CandidatesOf("""
                 SUNRISE BOOK TRADING
                   CO. (M) SDN BHD
              HARIMAU MAS SDN BHD (123456-X)
              NO 8, JALAN MAWAR 2, 43000 KAJANG
            TOTAL                         20.40
            """)[FieldNames.Issuer];
        var names = FieldCandidates.FeatureNames(FieldCandidates.Kind.Name).ToList();

        var joined = Assert.Single(candidates, c => c.Value == "SUNRISE BOOK TRADING CO. (M) SDN BHD");
        Assert.Equal(1, joined.Features[names.IndexOf("two_lines")]);
        var bare = Assert.Single(candidates, c => c.Value == "HARIMAU MAS SDN BHD");
        Assert.Equal(1, bare.Features[names.IndexOf("without_registration")]);
    }

    [Fact]
    public void ATree_SendsAValueAtMostTheThresholdLeft_AndReadsLeavesFromNegativeChildren()
    {
        // Node 0 splits feature 1 at 0.5: left is leaf 0; right is node 1, which splits feature 0 at 10.
        var tree = new RegressionTree([1, 0], [0.5f, 10f], [~0, ~1], [1, ~2], [-1f, 0.25f, 2f]);

        Assert.Equal(-1.0, tree.Evaluate([99f, 0.5f]));
        Assert.Equal(0.25, tree.Evaluate([10f, 1f]));
        Assert.Equal(2.0, tree.Evaluate([10.5f, 1f]));
    }

    [Fact]
    public void Calibration_JoinsItsPointsByStraightLines_AndIsFlatBeyondThem()
    {
        var calibration = new Calibration([-1, 0.5, 3], [0.1, 0.6, 0.95]);

        Assert.Equal(0.1, calibration.Probability(-5));
        Assert.Equal(0.6, calibration.Probability(0.5), 6);
        Assert.Equal(0.35, calibration.Probability(-0.25), 6);
        Assert.Equal(0.95, calibration.Probability(40));
    }

    [Fact]
    public void ARuleReadFieldsConfidence_IsMappedThroughItsCalibration()
    {
        var text = new ExtractedText("Orchard Lane Bakery Ltd\nInvoice No.: OLB-12\nCurrency: EUR\nNet: 70.00\nVAT 20%: 14.00\nTotal: 84.00\n", [0], "pdftotext");
        var halving = new FieldModel(new Dictionary<string, FieldScorer>(), new Dictionary<string, Calibration> { [FieldNames.Currency] = new([0, 1], [0, 0.5]) });

        var asRead = InvoiceFieldExtractor.Extract(text, Categories.Invoice, model: FieldModel.RulesOnly).Values;
        var calibrated = InvoiceFieldExtractor.Extract(text, Categories.Invoice, model: halving).Values;

        Assert.Equal("EUR", calibrated[FieldNames.Currency].Value);
        Assert.Equal(Math.Round(asRead[FieldNames.Currency].Confidence / 2, 2), calibrated[FieldNames.Currency].Confidence);
        Assert.Equal(asRead[FieldNames.Tax].Confidence, calibrated[FieldNames.Tax].Confidence);
    }

    [Fact]
    public void AModelTrainedOnOtherFeatures_IsRefused()
    {
        var stale = new FieldScorer(["page", "rel_y"], [], new Calibration([], []), 0);

        var refused = Assert.Throws<InvalidDataException>(() => new FieldModel(new Dictionary<string, FieldScorer> { [FieldNames.Total] = stale }));
        Assert.Contains("make train", refused.Message);
    }

    [Fact]
    public void TheShippedModel_IsBuiltIn_AndScoresEveryRankedField()
    {
        var model = FieldModel.Shipped;

        Assert.NotNull(model);
        Assert.Equal(FieldCandidates.Fields.Order(), model.Fields.Keys.Order());
        Assert.All(model.Fields.Values, scorer => Assert.NotEmpty(scorer.Trees));
    }

    [Fact]
    public void TheModel_WritesWhatItReads()
    {
        var model = FieldModel.Shipped!;
        using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(model.Write()));

        Assert.Equal(model.Write(), FieldModel.Read(json).Write());
    }
}
