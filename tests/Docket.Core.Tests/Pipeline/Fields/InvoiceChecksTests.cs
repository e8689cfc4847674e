using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using static Docket.Core.Tests.Pipeline.Fields.InvoiceLayoutTests;

namespace Docket.Core.Tests.Pipeline.Fields;

/// <summary>The bookkeeper's checks: each failure is a warning and lowers the confidence of what it concerns.</summary>
public sealed class InvoiceChecksTests
{
    private const string Consistent = """
        Orchard Lane Bakery Ltd
        INVOICE
        Invoice No.: OLB-12
        Invoice date: 2025-02-03
        Due date: 2025-03-05

        Description          Qty    Unit price    Amount
        Sourdough loaves      10          4.00     40.00
        Croissants            20          1.50     30.00

        Subtotal: 70.00
        VAT 20%: 14.00
        Total: 84.00
        """;

    [Fact]
    public void AConsistentInvoice_HasNoWarnings()
    {
        Assert.Empty(Read(Consistent).Warnings);
    }

    [Fact]
    public void NetPlusTaxThatIsNotTheTotal_LowersNetTaxAndTotal()
    {
        var good = Read(Consistent);
        var bad = Read(Consistent.Replace("Total: 84.00", "Total: 86.00"));

        Assert.Contains(bad.Warnings, w => w.Contains("not the total 86.00"));
        foreach (var name in (string[])[FieldNames.Net, FieldNames.Tax, FieldNames.Total])
            Assert.True(bad.Values[name].Confidence < good.Values[name].Confidence, name);
    }

    [Fact]
    public void LineItemsThatDoNotAddUpToTheNet_LowerTheNet()
    {
        var good = Read(Consistent);
        var bad = Read(Consistent.Replace("Croissants            20          1.50     30.00", "Croissants            20          1.50     35.00"));

        Assert.Contains(bad.Warnings, w => w.Contains("line items add up to 75.00"));
        Assert.True(bad.Values[FieldNames.Net].Confidence < good.Values[FieldNames.Net].Confidence);
    }

    [Fact]
    public void ADueDateBeforeTheInvoiceDate_IsWarnedAbout()
    {
        // On the rules' reading: the scorer has never seen a due date before its invoice date and takes the
        // earliest date as the invoice date, so the check would have nothing to compare (issue 20's note).
        static ExtractedFields ByRules(string text) =>
            InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "native"), Categories.Invoice, model: FieldModel.RulesOnly);
        var fields = ByRules(Consistent.Replace("Due date: 2025-03-05", "Due date: 2025-01-05"));

        Assert.Contains(fields.Warnings, w => w.Contains("comes before the invoice date"));
        Assert.True(fields.Values[FieldNames.DueDate].Confidence < ByRules(Consistent).Values[FieldNames.DueDate].Confidence);
    }

    [Fact]
    public void AnInvoiceDateFarInTheFuture_IsWarnedAbout()
    {
        var future = DateTime.UtcNow.Year + 3;
        var fields = Read(Consistent.Replace("Invoice date: 2025-02-03", $"Invoice date: {future}-02-03").Replace("Due date: 2025-03-05", $"Due date: {future}-03-05"));

        Assert.Contains(fields.Warnings, w => w.Contains("in the future"));
    }

    [Fact]
    public void AValueSpreadOverPages_PointsAtThePageItIsOn()
    {
        var text = "Orchard Lane Bakery Ltd\nINVOICE\nInvoice No.: OLB-12\n\nContinued overleaf\n" + "Subtotal: 70.00\nVAT 20%: 14.00\nTotal: 84.00\n";
        var secondPage = text.IndexOf("Subtotal", StringComparison.Ordinal);
        var fields = InvoiceFieldExtractor.Extract(new ExtractedText(text, [0, secondPage], "pdftotext"), Categories.Invoice);

        Assert.Equal(1, fields.Values[FieldNames.InvoiceNumber].Source!.Page);
        var total = fields.Values[FieldNames.Total].Source!;
        Assert.Equal(2, total.Page);
        Assert.Equal("84.00", text[total.Start..total.End]);
    }

    [Fact]
    public void OcrText_WithACommaReadAsAFullStop_StillGivesTheAmount()
    {
        const string text = "Kite Data Systems Pvt. Ltd.\nInvoice No. KDS/25/7\nSubtotal Rs. 1,00,000.00\nIGST @ 18% Rs. 18.000.00\nGrand Total Rs. 1,18,000.00\n";

        var ocr = Read(text, method: "ocr");
        var born = Read(text);

        Assert.Equal("18000.00", ocr.Values[FieldNames.Tax].Value);
        Assert.Equal("18.000.00", text[ocr.Values[FieldNames.Tax].Source!.Start..ocr.Values[FieldNames.Tax].Source!.End]);
        Assert.Empty(ocr.Warnings);
        Assert.NotEqual("18000.00", born.Values.GetValueOrDefault(FieldNames.Tax)?.Value);
    }

    [Fact]
    public void TruncatedGarbledOrStrangeText_NeverMakesTheExtractorThrow()
    {
        var random = new Random(20250601);
        var samples = new List<string> { "", "\n", "\n\n:", "Total:", "Invoice No.:\n", "€", "Rs.", "| | |\n|---|---|\n| | |", new string('9', 5000) };
        foreach (var text in (string[])[Consistent, Consistent.Replace(' ', '\u00A0'), Consistent.ToUpperInvariant()])
            for (var cut = 0; cut < text.Length; cut += 7)
                samples.Add(text[..cut]);
        const string alphabet = "0123456789.,:;-+/ \n\t|#*€$£¥%'()ABCxyzÄé";
        for (var i = 0; i < 300; i++)
            samples.Add(new string(Enumerable.Range(0, random.Next(1, 200)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()));

        var memory = new Docket.Core.Learning.VendorMemory(Guid.NewGuid());
        foreach (var text in samples)
        {
            foreach (var category in (string[])[Categories.Invoice, Categories.Receipt, Categories.CreditNote])
            foreach (var kind in (Docket.Core.Uploads.FileKind[])[Docket.Core.Uploads.FileKind.Text, Docket.Core.Uploads.FileKind.Json, Docket.Core.Uploads.FileKind.Csv])
            {
                var fields = InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "ocr"), category, kind, memory);
                foreach (var field in fields.Values.Values.Where(f => f.Source is not null))
                    Assert.InRange(field.Source!.End, field.Source.Start, text.Length);
            }
            _ = Docket.Core.Learning.VendorMemory.LabelBefore(text, text.Length / 2);
        }
    }
}
