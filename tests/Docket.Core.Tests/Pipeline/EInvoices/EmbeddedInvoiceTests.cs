using System.Globalization;
using System.Text.Json;
using Docket.Bench;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.EInvoices;
using static Docket.Core.Tests.Pipeline.EInvoices.TestEInvoices;

namespace Docket.Core.Tests.Pipeline.EInvoices;

/// <summary>PDFs that carry e-invoices, through the real stages and poppler's pdfdetach.</summary>
public sealed class EmbeddedInvoiceTests : IDisposable
{
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    private DocumentInput Pdf(IEnumerable<string> printed, params (string Name, string Xml)[] attachments)
    {
        var pdf = new PdfBuilder().AddPage(printed);
        foreach (var (name, xml) in attachments) pdf.Attach(name, Bytes(xml));
        return _files.Write($"doc-{Guid.NewGuid():N}.pdf", pdf.Build());
    }

    private static string At(ExtractedText text, ExtractedField field) =>
        text.Content[field.Source!.Start..field.Source.End];

    public static TheoryData<string> FacturXSamples => new("syn-15", "syn-16", "syn-17", "syn-18", "syn-19");

    [Theory]
    [MemberData(nameof(FacturXSamples))]
    public async Task TheSampleFacturXPdfs_GiveTheirTruth_FromTheXml_WithFullConfidence(string sample)
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("invoices", "synthetic", sample + ".pdf")));
        var truth = Truth(sample);

        Assert.Equal(FieldMethods.EmbeddedCii, context.Fields!.Method);
        Assert.Equal(new Categorisation(Categories.Invoice, 1.0, FieldMethods.EmbeddedCii), context.Category);
        foreach (var name in FieldNames.All)
        {
            var expected = truth.GetProperty(name);
            if (expected.ValueKind == JsonValueKind.Null)
            {
                Assert.False(context.Fields.Values.ContainsKey(name), $"{sample} {name}");
                continue;
            }

            var field = context.Fields.Values[name];
            Assert.Equal(1.0, field.Confidence);
            if (expected.ValueKind == JsonValueKind.Number)
                Assert.Equal(expected.GetDecimal(), decimal.Parse(field.Value, CultureInfo.InvariantCulture));
            else
                Assert.Equal(expected.GetString(), field.Value);
        }

        Assert.Empty(context.Fields.Warnings);
        Assert.NotEmpty(context.Fields.LineItems);
    }

    [Fact]
    public async Task AFacturXSample_PointsEachFieldAtWhereThePdfPrintsIt()
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("invoices", "synthetic", "syn-15.pdf")));
        var text = context.Text!;
        var fields = context.Fields!.Values;

        Assert.Equal("02.02.2023", At(text, fields[FieldNames.Date]));
        Assert.Equal("19.03.2023", At(text, fields[FieldNames.DueDate]));
        Assert.Equal("2023/0952", At(text, fields[FieldNames.InvoiceNumber]));
        Assert.Equal("Alpenhof Tischlerei GmbH", At(text, fields[FieldNames.Issuer]));
        Assert.Equal("8.621,39", At(text, fields[FieldNames.Total]));
        Assert.Equal("1.436,90", At(text, fields[FieldNames.Tax]));
        Assert.Equal("7.184,49", At(text, fields[FieldNames.Net]));
        Assert.Equal("€", At(text, fields[FieldNames.Currency]));
        Assert.All(fields.Values, f => Assert.Equal(1, f.Source!.Page));
    }

    [Fact]
    public async Task AFacturXSample_GivesTheXmlsLineItems()
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("invoices", "synthetic", "syn-15.pdf")));

        var expected = Derived("syn-15").GetProperty("line_items").EnumerateArray()
            .Select(l => new LineItem(l.GetProperty("description").GetString()!, l.GetProperty("quantity").GetDecimal(),
                l.GetProperty("unit_price").GetDecimal(), l.GetProperty("amount").GetDecimal()));
        Assert.Equal(expected, context.Fields!.LineItems);
    }

    [Fact]
    public async Task AnEmbeddedInvoice_WinsOverTheRules_WhenThePrintedTextDoesNotLookLikeOne()
    {
        string[] printed = ["Birkenweg Holzwerkstatt GmbH", "", "Memo to the school board", "", "Please find our figures attached.", "535,50"];
        var context = await Stages.RunAll(Pdf(printed, ("factur-x.xml", Cii())));

        Assert.Equal(new Categorisation(Categories.Invoice, 1.0, FieldMethods.EmbeddedCii), context.Category);
        Assert.Equal("WS-2024-117", context.Fields!.Values[FieldNames.InvoiceNumber].Value);
        Assert.Equal("535,50", At(context.Text!, context.Fields.Values[FieldNames.Total]));
    }

    [Fact]
    public async Task AnEmbeddedCreditNote_IsFiledAsOne_WithNegativeAmounts_FoundWhereTheyArePrintedUnsigned()
    {
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice("GUTSCHRIFT"), ("factur-x.xml", Cii(typeCode: "381"))));

        Assert.Equal(Categories.CreditNote, context.Category!.Category);
        Assert.Equal("-535.50", context.Fields!.Values[FieldNames.Total].Value);
        Assert.Equal("535,50", At(context.Text!, context.Fields.Values[FieldNames.Total]));
        Assert.Equal(-2m, context.Fields.LineItems[0].Quantity);
    }

    [Fact]
    public async Task AUblInvoice_UnderAnyXmlName_IsFoundByItsRoot()
    {
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("readme.txt", "not xml at all"), ("invoice-data.xml", Ubl())));

        Assert.Equal(FieldMethods.EmbeddedUbl, context.Fields!.Method);
        Assert.Equal("Birkenweg Holzwerkstatt GmbH", context.Fields.Values[FieldNames.Issuer].Value);
        Assert.Equal("2024-04-10", context.Fields.Values[FieldNames.DueDate].Value);
        Assert.Equal("10.04.2024", At(context.Text!, context.Fields.Values[FieldNames.DueDate]));
        Assert.Equal("EUR", At(context.Text!, context.Fields.Values[FieldNames.Currency]));
    }

    [Fact]
    public async Task AStandardName_IsPreferred_ToAnotherXmlThatIsAlsoAnInvoice()
    {
        var other = Cii().Replace("WS-2024-117", "WS-OTHER-1");
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("a-copy.xml", other), ("ZUGFeRD-invoice.xml", Cii())));

        Assert.Equal("WS-2024-117", context.Fields!.Values[FieldNames.InvoiceNumber].Value);
    }

    [Fact]
    public async Task ABrokenFacturX_FallsBackToTheText_WithAWarningThatSaysWhy()
    {
        var broken = Cii().Replace("</rsm:ExchangedDocument>", "");
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("factur-x.xml", broken)));

        Assert.Equal(FieldMethods.Text, context.Fields!.Method);
        Assert.IsType<EmbeddedInvoice.Unreadable>(context.EmbeddedInvoice);
        Assert.Equal("WS-2024-117", context.Fields.Values[FieldNames.InvoiceNumber].Value);
        Assert.True(context.Fields.Values[FieldNames.InvoiceNumber].Confidence < 1.0);
        Assert.StartsWith("The e-invoice attached to this PDF (factur-x.xml) could not be read and was not used. The XML could not be read: ",
            context.Fields.Warnings[0]);
        Assert.Equal("rules", context.Category!.Method);
    }

    [Fact]
    public async Task AnXmlUnderAStandardName_ThatIsNoInvoice_IsNamedInAWarning()
    {
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("xrechnung.xml", "<order><id>1</id></order>")));

        Assert.Equal(FieldMethods.Text, context.Fields!.Method);
        Assert.Contains("The XML is neither a CII (Factur-X, ZUGFeRD 2) nor a UBL invoice.", context.Fields.Warnings[0]);
    }

    [Fact]
    public async Task AnOversizedFacturX_IsStoppedAtTheCap_AndNotUsed()
    {
        var huge = Cii(extraHeader: $"<!-- {new string(' ', EmbeddedInvoiceReader.MaxAttachmentBytes)} -->");
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("factur-x.xml", huge)));

        var unreadable = Assert.IsType<EmbeddedInvoice.Unreadable>(context.EmbeddedInvoice);
        Assert.EndsWith("The attachment is larger than 8 MB.", unreadable.Reason);
        Assert.Equal(FieldMethods.Text, context.Fields!.Method);
    }

    [Fact]
    public async Task AnXmlAttachmentThatIsNoInvoice_UnderAnotherName_IsIgnoredQuietly()
    {
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("metadata.xml", "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>"), ("notes.xml", "<unclosed>")));

        Assert.Null(context.EmbeddedInvoice);
        Assert.Equal(FieldMethods.Text, context.Fields!.Method);
        Assert.DoesNotContain(context.Fields.Warnings, w => w.Contains("e-invoice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APdfWithoutAttachments_HasNoEmbeddedInvoice_AndItsFieldsComeFromTheText()
    {
        var context = await Stages.RunAll(TempFiles.Input(SharedSamples.PathTo("invoices", "synthetic", "syn-01.pdf")));

        Assert.Null(context.EmbeddedInvoice);
        Assert.Equal(FieldMethods.Text, context.Fields!.Method);
    }

    [Fact]
    public async Task AnXmlWhoseTotalIsNotPrinted_IsUsed_ButFlaggedForAPerson()
    {
        var context = await Stages.RunAll(Pdf(PrintedGermanInvoice(), ("factur-x.xml", Cii(grandTotal: "9535.50"))));

        Assert.Equal("9535.50", context.Fields!.Values[FieldNames.Total].Value);
        Assert.Null(context.Fields.Values[FieldNames.Total].Source);
        Assert.Contains("The e-invoice's total 9535.50 is not printed in the document's text; check that the attached XML belongs to it.", context.Fields.Warnings);
    }

    [Fact]
    public async Task ANonPdf_IsNeverSearchedForAttachments()
    {
        var context = await Stages.RunAll(_files.Write("invoice.xml.txt", Cii()));

        Assert.Null(context.EmbeddedInvoice);
    }

    private static JsonElement Document(string sample)
    {
        using var truth = JsonDocument.Parse(File.ReadAllText(SharedSamples.PathTo("invoices", "truth.json")));
        return truth.RootElement.GetProperty("documents").EnumerateArray()
            .Single(d => d.GetProperty("file").GetString() == $"synthetic/{sample}.pdf").Clone();
    }

    private static JsonElement Truth(string sample) => Document(sample).GetProperty("truth");

    private static JsonElement Derived(string sample) => Document(sample).GetProperty("derived");
}
