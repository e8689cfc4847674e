using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline;

public sealed class ExtractFieldsStageTests
{
    private const string EnglishInvoice = """
        Northwind Traders Ltd
        1 High Street, Leeds

        INVOICE
        Invoice No.:     NW-2024-0042
        Invoice date:    January 15, 2024
        Due date:        15/02/2024

        Description                  Qty    Unit price      Amount
        ------------------------------------------------------------
        Widgets, blue                  10         12.50      125.00
        Gadget repair                 1,5         40.00       60.00
        ------------------------------------------------------------
                                      Subtotal:             £185.00
                                      VAT 20%:               £37.00
                                      Total:                £222.00
        """;

    private static ExtractedFields Fields(string text, FileKind kind = FileKind.Text) => Stages.RunOnText(text, kind).Fields!;

    private static void AssertSourceIsRaw(string text, ExtractedField field, string raw)
    {
        Assert.NotNull(field.Source);
        Assert.Equal(raw, text.Substring(field.Source!.Start, field.Source.End - field.Source.Start));
        Assert.Equal(1, field.Source.Page);
    }

    [Fact]
    public void Fields_ExtractsTheLabelledValuesOfAnEnglishInvoice()
    {
        var fields = Fields(EnglishInvoice);

        Assert.Equal("NW-2024-0042", fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.Equal("2024-01-15", fields.Values[FieldNames.Date].Value);
        Assert.Equal("2024-02-15", fields.Values[FieldNames.DueDate].Value);
        Assert.Equal("185.00", fields.Values[FieldNames.Net].Value);
        Assert.Equal("37.00", fields.Values[FieldNames.Tax].Value);
        Assert.Equal("222.00", fields.Values[FieldNames.Total].Value);
        Assert.Equal("GBP", fields.Values[FieldNames.Currency].Value);
        Assert.Equal("Northwind Traders Ltd", fields.Values[FieldNames.Issuer].Value);
        Assert.Empty(fields.Warnings);
    }

    [Fact]
    public void Fields_GiveTypesAndConfidences()
    {
        var fields = Fields(EnglishInvoice);

        Assert.Equal("date", fields.Values[FieldNames.Date].Type);
        Assert.Equal("amount", fields.Values[FieldNames.Total].Type);
        Assert.Equal("currency", fields.Values[FieldNames.Currency].Type);
        Assert.Equal("text", fields.Values[FieldNames.InvoiceNumber].Type);
        Assert.All(fields.Values.Values, f => Assert.InRange(f.Confidence, 0.01, 1));
    }

    [Fact]
    public void Fields_PointAtTheRawValue_InTheExtractedText()
    {
        var fields = Fields(EnglishInvoice);

        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.InvoiceNumber], "NW-2024-0042");
        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.Date], "January 15, 2024");
        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.DueDate], "15/02/2024");
        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.Total], "222.00");
        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.Currency], "£");
        AssertSourceIsRaw(EnglishInvoice, fields.Values[FieldNames.Issuer], "Northwind Traders Ltd");
    }

    [Fact]
    public async Task Fields_GiveTheSourcePage_FromThePageStarts()
    {
        var text = "Page one\n\f" + EnglishInvoice;
        var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), "a.pdf", FileKind.Pdf, 1, "/none"))
        {
            Text = new ExtractedText(text, [0, 10], "pdftotext"),
            Category = new Categorisation(Categories.Invoice, 0.9, "rules"),
        };
        await new Docket.Core.Pipeline.Stages.ExtractFieldsStage().RunAsync(context, CancellationToken.None);

        Assert.Equal(2, context.Fields!.Values[FieldNames.Total].Source!.Page);
    }

    [Fact]
    public void Fields_ReadLineItems_FromAColumnTable()
    {
        var items = Fields(EnglishInvoice).LineItems;

        Assert.Equal(2, items.Count);
        Assert.Equal(new LineItem("Widgets, blue", 10m, 12.50m, 125.00m), items[0]);
        Assert.Equal(1.5m, items[1].Quantity);
    }

    [Fact]
    public void Fields_ReadAGermanMarkdownInvoice()
    {
        var text = """
            # Rechnung RE-2023-7

            **Muster & Partner GmbH**

            | | |
            |---|---|
            | Rechnungsnummer | RE-2023-7 |
            | Rechnungsdatum | 13. Juni 2023 |
            | Fällig am | 27.06.2023 |

            | Bezeichnung | Menge | Einzelpreis | Gesamt |
            |---|--:|--:|--:|
            | Beratung | 8 | 150,00 € | 1.200,00 € |

            | | |
            |---|--:|
            | Nettobetrag | 1.200,00 € |
            | MwSt. 19 % | 228,00 € |
            | **Gesamtbetrag** | **1.428,00 €** |
            """;
        var fields = Fields(text, FileKind.Markdown);

        Assert.Equal("RE-2023-7", fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.Equal("2023-06-13", fields.Values[FieldNames.Date].Value);
        Assert.Equal("2023-06-27", fields.Values[FieldNames.DueDate].Value);
        Assert.Equal("1200.00", fields.Values[FieldNames.Net].Value);
        Assert.Equal("228.00", fields.Values[FieldNames.Tax].Value);
        Assert.Equal("1428.00", fields.Values[FieldNames.Total].Value);
        Assert.Equal("EUR", fields.Values[FieldNames.Currency].Value);
        Assert.Equal("Muster & Partner GmbH", fields.Values[FieldNames.Issuer].Value);
        AssertSourceIsRaw(text, fields.Values[FieldNames.Total], "1.428,00");
        Assert.Equal([new LineItem("Beratung", 8m, 150m, 1200m)], fields.LineItems);
    }

    [Fact]
    public void Fields_ReadAFrenchInvoice_WithSpaceGroupedAmounts()
    {
        var text = "Atelier Exemple SARL\n\nFACTURE\nN° de facture : FA-99\nDate de facture : 5 mars 2024\nTotal HT : 1 041,53 €\nTVA 10 % : 104,15 €\nTotal TTC : 1 145,68 €\n";
        var fields = Fields(text);

        Assert.Equal("FA-99", fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.Equal("2024-03-05", fields.Values[FieldNames.Date].Value);
        Assert.Equal("1041.53", fields.Values[FieldNames.Net].Value);
        Assert.Equal("104.15", fields.Values[FieldNames.Tax].Value);
        Assert.Equal("1145.68", fields.Values[FieldNames.Total].Value);
        AssertSourceIsRaw(text, fields.Values[FieldNames.Total], "1 145,68");
    }

    [Fact]
    public void Fields_WarnAndLowerTheTotalsConfidence_WhenNetPlusTaxIsNotTheTotal()
    {
        var consistent = Fields("INVOICE\nInvoice No.: 7\nSubtotal: 100.00\nVAT: 20.00\nTotal: 120.00");
        var inconsistent = Fields("INVOICE\nInvoice No.: 7\nSubtotal: 100.00\nVAT: 20.00\nTotal: 125.00");

        Assert.Empty(consistent.Warnings);
        Assert.Contains(inconsistent.Warnings, w => w.Contains("125.00"));
        Assert.True(inconsistent.Values[FieldNames.Total].Confidence < consistent.Values[FieldNames.Total].Confidence);
    }

    [Fact]
    public void Fields_StoreCreditNoteAmounts_AsNegative()
    {
        var fields = Fields("CREDIT NOTE\nCredit note No.: CN-1\nRefers to invoice: INV-9\nSubtotal: 10.00\nVAT: 2.00\nTOTAL CREDIT 12.00\nThis credit note has been applied to your account.");

        Assert.Equal("-12.00", fields.Values[FieldNames.Total].Value);
        Assert.Equal("-10.00", fields.Values[FieldNames.Net].Value);
        Assert.Equal("-2.00", fields.Values[FieldNames.Tax].Value);
        Assert.Empty(fields.Warnings);
    }

    [Fact]
    public void Fields_AreNone_ForDocumentsThatAreNotInvoices()
    {
        var context = Stages.RunOnText("Dear Sir,\n\nI am writing about the total of 5.00 on invoice 12.\n\nKind regards,\nJo");
        Assert.Equal(Categories.Letter, context.Category!.Category);
        Assert.Same(ExtractedFields.None, context.Fields);
    }

    [Fact]
    public async Task Fields_TakeTheFirstInvoice_OfACsvWithSeveral_AndSaySo()
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("async-document-processing-workflow", "sample-files", "sample-invoice.csv")));
        var fields = context.Fields!;

        Assert.Equal("INV-2024-001", fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.Equal("2024-01-15", fields.Values[FieldNames.Date].Value);
        Assert.Equal("4050.00", fields.Values[FieldNames.Total].Value);
        Assert.Contains(fields.Warnings, w => w.Contains("3 invoices"));
        Assert.Equal(3, fields.LineItems.Count);
        Assert.Equal(new LineItem("SSL Certificate", 2m, 150m, 300m), fields.LineItems[1]);
        var number = fields.Values[FieldNames.InvoiceNumber].Source!;
        Assert.Equal("INV-2024-001", context.Text!.Content[number.Start..number.End]);
    }

    [Theory]
    [InlineData("Total: 1,234.56", "1234.56")]
    [InlineData("Total: 1.234,56", "1234.56")]
    [InlineData("Total: 1 234,56", "1234.56")]
    [InlineData("Total: 1'234.50", "1234.50")]
    [InlineData("Total: 1,23,456.00", "123456.00")]
    [InlineData("Total: ¥12,000", "12000.00")]
    [InlineData("Total: -$338.74", "-338.74")]
    public void Amounts_ReadTheCommonNumberFormats(string line, string expected)
    {
        var amount = Amounts.FindMoney(line).Last();
        Assert.Equal(expected, Amounts.Format(amount.Value));
    }

    [Fact]
    public void Amounts_SkipPercentagesAndNumbersWithoutCents()
    {
        Assert.Empty(Amounts.FindMoney("VAT 20% Reg. No. GB 318 4402 71, year 2024"));
    }

    [Theory]
    [InlineData("2024-01-15", false, "2024-01-15")]
    [InlineData("15/01/2024", false, "2024-01-15")]
    [InlineData("03/05/2024", false, "2024-05-03")]
    [InlineData("03/05/2024", true, "2024-03-05")]
    [InlineData("January 15, 2024", false, "2024-01-15")]
    [InlineData("15 January 2024", false, "2024-01-15")]
    [InlineData("15.01.2024", true, "2024-01-15")]
    [InlineData("5. März 2024", false, "2024-03-05")]
    [InlineData("5 mars 2024", false, "2024-03-05")]
    [InlineData("05-Mar-2024", false, "2024-03-05")]
    [InlineData("1er mars 2024", false, "2024-03-01")]
    [InlineData("1ST MARCH 2024", false, "2024-03-01")]
    [InlineData("March 2nd, 2024", false, "2024-03-02")]
    public void Dates_ReadTheCommonFormats(string text, bool monthFirst, string expected)
    {
        var date = Assert.Single(Dates.Find(text, monthFirst));
        Assert.Equal(expected, Dates.Format(date.Value));
        Assert.Equal(text, text.Substring(date.Start, date.Length));
    }

    [Fact]
    public void Dates_RejectImpossibleDates()
    {
        Assert.Empty(Dates.Find("31.02.2024 and 2024-13-01", monthFirst: false));
    }
}
