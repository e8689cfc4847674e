using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Categorising;

namespace Docket.Core.Tests.Pipeline;

public sealed class CategoriseStageTests
{
    private static Categorisation Categorise(string text) => Stages.RunOnText(text).Category!;

    [Fact]
    public void Categorise_FindsInvoice_WhenTextHasInvoiceNumberAndTotal()
    {
        var result = Categorise("ACME Tools Ltd\n\nINVOICE\nInvoice No.: A-1001\nBill to: Someone\nSubtotal: 100.00\nVAT 20%: 20.00\nAmount due: 120.00\n");

        Assert.Equal(Categories.Invoice, result.Category);
        Assert.Equal("rules", result.Method);
        Assert.InRange(result.Confidence, 0.7, 1);
    }

    [Fact]
    public void Categorise_FindsInvoice_InGermanAndFrench()
    {
        Assert.Equal(Categories.Invoice, Categorise("Rechnung\nRechnungsnummer: R-77\nNettobetrag 10,00 €\nMwSt. 19 % 1,90 €\nGesamtbetrag 11,90 €").Category);
        Assert.Equal(Categories.Invoice, Categorise("FACTURE\nN° de facture : F-12\nTotal HT 10,00 €\nTVA 20 % 2,00 €\nTotal TTC 12,00 €").Category);
    }

    [Fact]
    public void Categorise_FindsReceipt_WhenTextLooksLikeATillSlip()
    {
        var result = Categorise("CORNER SHOP\nReceipt No. 4411\n12:41\nMilk 1.20\nTOTAL 1.20\nCash 5.00\nChange due 3.80\nThank you for your purchase!");
        Assert.Equal(Categories.Receipt, result.Category);
    }

    [Fact]
    public void Categorise_FindsCreditNote_EvenThoughItQuotesAnInvoice()
    {
        var result = Categorise("CREDIT NOTE\nCredit note No.: CN-5\nRefers to invoice: INV-4\nSubtotal: 10.00\nVAT: 2.00\nTOTAL CREDIT 12.00\nThis credit note has been applied to your account.");
        Assert.Equal(Categories.CreditNote, result.Category);
    }

    [Fact]
    public void Categorise_FindsLetter_BySalutationAndClosing()
    {
        var result = Categorise("Dear Mr. Smith,\n\nI am writing to ask about the delivery of our order last week.\n\nKind regards,\n\nJane Doe");
        Assert.Equal(Categories.Letter, result.Category);
    }

    [Fact]
    public void Categorise_FindsMemo_ByItsHeaderBlock()
    {
        var result = Categorise("To: All staff\nFrom: Facilities\nDate: 3 May 2024\nSubject: Parking\n\nThe car park is closed on Friday.");
        Assert.Equal(Categories.Memo, result.Category);
    }

    [Fact]
    public void Categorise_FindsContract_ByItsLegalPhrases()
    {
        var result = Categorise("SERVICE AGREEMENT\n\nThis agreement is made between Alpha Ltd (hereinafter the \"Provider\") and Beta Ltd. The parties agree as follows.\n\nSection 1 - Term\nGoverning law: England.");
        Assert.Equal(Categories.Contract, result.Category);
    }

    [Fact]
    public void Categorise_FindsResume_ByItsSections()
    {
        var result = Categorise("Jane Doe\n\nWork experience\n2019 - 2024 Accountant\n\nEducation\n2015 - 2018 BSc\n\nSkills\nExcel, SQL");
        Assert.Equal(Categories.Resume, result.Category);
    }

    [Fact]
    public void Categorise_FindsTechnicalSpec_FromATypeFieldInJson()
    {
        var result = Categorise("document_type: technical_specification\nservices[0].endpoints[0]: /api/users\nversion: 2.1.0\n");
        Assert.Equal(Categories.TechnicalSpec, result.Category);
    }

    [Fact]
    public void Categorise_SaysOther_WithLowConfidence_WhenNothingMatches()
    {
        var result = Categorise("Shopping list: apples, pears, bread.");
        Assert.Equal(Categories.Other, result.Category);
        Assert.Equal(RuleCategoriser.UnknownConfidence, result.Confidence);
    }

    [Fact]
    public void Categorise_IsLessConfident_WhenTwoCategoriesAreClose()
    {
        var clear = Categorise("INVOICE\nInvoice No.: 1\nBill to: X\nAmount due: 5.00");
        var mixed = Categorise("INVOICE\nInvoice No.: 1\nDear Sir,\nI am writing about the amount due: 5.00\nKind regards,");
        Assert.True(mixed.Confidence < clear.Confidence, $"{mixed.Confidence} should be below {clear.Confidence}");
    }

    [Fact]
    public void Categorise_DoesNotTakeALettersSubjectLine_ForItsKind()
    {
        var result = Categorise("Dear Ms. Johnson,\n\nRe: Partnership Agreement\n\nI am writing to confirm our agreement.\n\nWarm regards,\nDavid");
        Assert.Equal(Categories.Letter, result.Category);
    }

    [Theory]
    [InlineData("sample-invoice.csv", Categories.Invoice)]
    [InlineData("sample-letter.txt", Categories.Letter)]
    [InlineData("sample-memo.md", Categories.Memo)]
    [InlineData("sample-report.txt", Categories.Report)]
    [InlineData("sample-technical-doc.json", Categories.TechnicalSpec)]
    public async Task Categorise_FilesTheSeedSamples_UnderTheirKind(string fileName, string category)
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", fileName)));
        Assert.Equal(category, context.Category!.Category);
    }
}
