using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class TextLayerCheckTests
{
    private const string EnglishInvoice = """
        Blue Heron Analytics LLC                                   INVOICE
        1450 Harbor Way, Suite 300
        Oakland, CA 94607                              Invoice No.     BHA-2023-0944
        Bill to
        Description                               Qty       Unit price       Amount
        Cloud cost audit (fixed fee)                2         2,170.00     4,340.00
        Subtotal                                                           4,340.00
        Sales tax 8.75%                                                      379.75
        Total due                                                        $4,719.75
        Please pay within 14 days. Thank you for your business!
        """;

    private const string GermanLetter = """
        Sehr geehrte Damen und Herren,
        für die erbrachten Leistungen erlauben wir uns, Ihnen Folgendes in Rechnung zu stellen.
        Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung).
        Arbeitszeit, Bremsbeläge, Schlauch, Inspektion: Rechnungsbetrag 857,74 €
        Mit freundlichen Grüßen, Speiche & Kette Fahrradwerkstatt, Körnerstraße 21
        """;

    [Theory]
    [InlineData(EnglishInvoice)]
    [InlineData(GermanLetter)]
    public void AReadableTextLayer_NeedsNoOcr(string page)
    {
        var assessment = TextLayerCheck.Assess(page);
        Assert.False(assessment.NeedsOcr, assessment.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\n   ")]
    [InlineData("Page 1 of 3\n")]
    [InlineData("Scanned with OfficeScan 3000  2024-03-05\n")]
    public void AnEmptyOrNearlyEmptyPage_NeedsOcr(string page)
    {
        Assert.True(TextLayerCheck.Assess(page).NeedsOcr);
    }

    [Fact]
    public void APageOfControlCharacters_FromAFontWithoutAUnicodeMap_NeedsOcr()
    {
        var page = string.Concat(Enumerable.Repeat("\u0001\u0002\u0003\u0004 \u0005\u0006\u0007\u0008\u000e\n", 30)) + "Total 12.50";

        Assert.True(TextLayerCheck.Assess(page).NeedsOcr);
    }

    [Fact]
    public void APageOfPrivateUseAndReplacementCharacters_NeedsOcr()
    {
        var page = "Invoice " + string.Concat(Enumerable.Repeat("\uE012\uE0A4\uF8FF \uFFFD\uFFFD ", 40)) + " Total due 4,719.75 thanks for all";

        Assert.True(TextLayerCheck.Assess(page).NeedsOcr);
    }

    [Fact]
    public void APageWhoseLettersAreShifted_SoNoWordIsAWord_NeedsOcr()
    {
        // The invoice above with every letter moved three places on, as a broken font encoding leaves it.
        var shifted = new string(EnglishInvoice.Select(c => c switch
        {
            >= 'a' and <= 'z' => (char)('a' + (c - 'a' + 3) % 26),
            >= 'A' and <= 'Z' => (char)('A' + (c - 'A' + 3) % 26),
            _ => c,
        }).ToArray());

        Assert.True(TextLayerCheck.Assess(shifted).NeedsOcr, TextLayerCheck.Assess(shifted).ToString());
        Assert.True(TextLayerCheck.Assess(EnglishInvoice).Score > TextLayerCheck.Assess(shifted).Score * 1.25);
    }

    [Fact]
    public void APageOfRandomLetterSoup_NeedsOcr()
    {
        var page = "xqzt Rkvbnm qwrtzp HgFdSa lkjhgf ZxCvBn mnbvcx QwErTy poiuyt " +
                   "sdfghj kLmNbV trqwzx pqrstv wxyzbc dfghjk lmnpqr stvwxz BcDfGh jklmnp";

        Assert.True(TextLayerCheck.Assess(page).NeedsOcr, TextLayerCheck.Assess(page).ToString());
    }
}
