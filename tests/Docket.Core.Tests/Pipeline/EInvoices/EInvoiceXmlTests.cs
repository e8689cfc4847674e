using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.EInvoices;
using static Docket.Core.Tests.Pipeline.EInvoices.TestEInvoices;

namespace Docket.Core.Tests.Pipeline.EInvoices;

public sealed class EInvoiceXmlTests
{
    private static EInvoice Parse(string xml) => EInvoiceXml.Parse(Bytes(xml)) ?? throw new Xunit.Sdk.XunitException("not read as an e-invoice");

    private static EInvoiceFormatException Refused(string xml) => Assert.Throws<EInvoiceFormatException>(() => EInvoiceXml.Parse(Bytes(xml)));

    [Fact]
    public void Parse_ReadsTheFieldsOfACiiInvoice()
    {
        var invoice = Parse(Cii());

        Assert.Equal(EInvoiceSyntax.Cii, invoice.Syntax);
        Assert.False(invoice.IsCreditNote);
        Assert.Equal("Birkenweg Holzwerkstatt GmbH", invoice.Issuer);
        Assert.Equal("WS-2024-117", invoice.InvoiceNumber);
        Assert.Equal(new DateOnly(2024, 3, 11), invoice.Date);
        Assert.Equal(new DateOnly(2024, 4, 10), invoice.DueDate);
        Assert.Equal("EUR", invoice.Currency);
        Assert.Equal(450.00m, invoice.Net);
        Assert.Equal(85.50m, invoice.Tax);
        Assert.Equal(535.50m, invoice.Total);
        Assert.Empty(invoice.Warnings);
        Assert.Equal("embedded_cii", invoice.Method);
        Assert.Equal(Categories.Invoice, invoice.Category);
    }

    [Fact]
    public void Parse_ReadsTheLineItems_WithThePricePerUnit_WhenTheXmlPricesPerBasisQuantity()
    {
        var invoice = Parse(Cii());

        Assert.Equal(
            [new LineItem("Oak reading desk", 2m, 150.00m, 300.00m), new LineItem("Beech shelf board", 4m, 37.5m, 150.00m)],
            invoice.LineItems);
    }

    [Fact]
    public void Parse_MatchesNamespacesByUri_NotByPrefix()
    {
        var renamed = Cii()
            .Replace("rsm:", "inv:").Replace("xmlns:rsm=", "xmlns:inv=")
            .Replace("ram:", "").Replace("xmlns:ram=", "xmlns=");

        Assert.Equivalent(Parse(Cii()), Parse(renamed), strict: true);
    }

    [Fact]
    public void Parse_ReturnsNull_ForTheRightNamesInAnotherNamespace()
    {
        Assert.Null(EInvoiceXml.Parse(Bytes(Cii().Replace(CiiNamespace, "urn:example:not-cii"))));
        Assert.Null(EInvoiceXml.Parse(Bytes("<?xml version=\"1.0\"?><metadata><title>Not an invoice</title></metadata>")));
    }

    [Fact]
    public void Parse_MakesACreditNotesAmountsNegative_ButKeepsItsUnitPricesPositive()
    {
        var note = Parse(Cii(typeCode: "381"));

        Assert.True(note.IsCreditNote);
        Assert.Equal(Categories.CreditNote, note.Category);
        Assert.Equal((-450.00m, -85.50m, -535.50m), (note.Net, note.Tax, note.Total));
        Assert.Equal(new LineItem("Oak reading desk", -2m, 150.00m, -300.00m), note.LineItems[0]);
    }

    [Fact]
    public void Parse_DoesNotTurnACreditNotePositive_WhenItsXmlAlreadyCarriesTheSign()
    {
        var note = Parse(Cii(typeCode: "381", taxTotals: "<ram:TaxTotalAmount currencyID=\"EUR\">-85.50</ram:TaxTotalAmount>"));

        Assert.Equal(-85.50m, note.Tax);
    }

    [Fact]
    public void Parse_TakesTheTaxTotalInTheInvoiceCurrency_WhenTheXmlStatesItInTwo()
    {
        var invoice = Parse(Cii(taxTotals: """
            <ram:TaxTotalAmount currencyID="CHF">82.31</ram:TaxTotalAmount>
            <ram:TaxTotalAmount currencyID="EUR">85.50</ram:TaxTotalAmount>
            """));

        Assert.Equal(85.50m, invoice.Tax);
        Assert.Empty(invoice.Warnings);
    }

    [Fact]
    public void Parse_LeavesTheTaxOut_WithAWarning_WhenItIsOnlyInAnotherCurrency()
    {
        var invoice = Parse(Cii(taxTotals: "<ram:TaxTotalAmount currencyID=\"CHF\">82.31</ram:TaxTotalAmount>"));

        Assert.Null(invoice.Tax);
        Assert.Contains(invoice.Warnings, w => w.Contains("only in CHF", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_WarnsWhenNetAndTaxDoNotMakeTheTotal()
    {
        var invoice = Parse(Cii(grandTotal: "553.50"));

        Assert.Equal(553.50m, invoice.Total);
        Assert.Equal(["The e-invoice's net 450.00 plus tax 85.50 is not its total 553.50."], invoice.Warnings);
    }

    [Fact]
    public void Parse_LeavesADateOut_WithAWarning_WhenItsFormatNamesNoDay()
    {
        var invoice = Parse(Cii(issueDate: "<udt:DateTimeString format=\"610\">202403</udt:DateTimeString>"));

        Assert.Null(invoice.Date);
        Assert.Equal(new DateOnly(2024, 4, 10), invoice.DueDate);
        Assert.Contains(invoice.Warnings, w => w.Contains("format 610", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("<udt:DateTimeString format=\"102\">2024-03-11</udt:DateTimeString>", "invoice date '2024-03-11' is not a date in format 102")]
    [InlineData("<udt:DateTimeString format=\"102\">20240231</udt:DateTimeString>", "invoice date '20240231' is not a date in format 102")]
    public void Parse_RefusesADateThatIsNotWhatItsFormatSays(string issueDate, string expected)
    {
        var ex = Refused(Cii(issueDate: issueDate));

        Assert.Contains(expected, ex.Message);
        Assert.True(ex.IsEInvoice);
    }

    [Fact]
    public void Parse_RefusesAnAmountThatIsNotAnXmlDecimal()
    {
        var ex = Refused(Cii(grandTotal: "535,50"));

        Assert.Equal("The e-invoice's GrandTotalAmount '535,50' is not a number.", ex.Message);
        Assert.True(ex.IsEInvoice);
    }

    [Fact]
    public void Parse_RefusesAnInvoiceWithNeitherNumberNorTotal()
    {
        var xml = Cii().Replace("<ram:ID>WS-2024-117</ram:ID>", "").Replace("<ram:GrandTotalAmount>535.50</ram:GrandTotalAmount>", "");

        Assert.Equal("The e-invoice states neither an invoice number nor a total.", Refused(xml).Message);
    }

    [Fact]
    public void Parse_RefusesADtd_SoAnExternalEntityIsNeverFetched()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"docket-xxe-{Guid.NewGuid():N}.txt");
        File.WriteAllText(secret, "SECRET");
        try
        {
            var xml = Cii(extraHeader: $"<!DOCTYPE rsm:CrossIndustryInvoice [ <!ENTITY leak SYSTEM \"file://{secret}\"> ]>")
                .Replace("WS-2024-117", "&leak;");

            var ex = Refused(xml);

            Assert.Contains("DTD", ex.Message);
            Assert.DoesNotContain("SECRET", ex.Message);
            Assert.False(ex.IsEInvoice);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Parse_RefusesEntityExpansion()
    {
        var laughs = new StringBuilder("<!DOCTYPE lol [ <!ENTITY l0 \"lol\">");
        for (var i = 1; i < 10; i++) laughs.Append($"<!ENTITY l{i} \"&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};&l{i - 1};\">");
        laughs.Append("]>");

        Assert.Contains("DTD", Refused(Cii(extraHeader: laughs.ToString()).Replace("WS-2024-117", "&l9;")).Message);
    }

    [Fact]
    public void Parse_RefusesXmlLargerThanTheLimit()
    {
        var padding = $"<!-- {new string('x', EInvoiceXml.MaxCharacters)} -->";

        Assert.False(Refused(Cii(extraHeader: padding)).IsEInvoice);
    }

    [Fact]
    public void Parse_RefusesXmlThatIsNotWellFormed()
    {
        var ex = Refused(Cii().Replace("</rsm:ExchangedDocument>", ""));

        Assert.StartsWith("The XML could not be read: ", ex.Message);
        Assert.False(ex.IsEInvoice);
    }

    [Fact]
    public void Parse_NamesZugferdOne_InsteadOfReadingItAsSomethingElse()
    {
        const string xml = """
            <rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0">
              <rsm:HeaderExchangedDocument/>
            </rsm:CrossIndustryDocument>
            """;

        var ex = Refused(xml);

        Assert.Contains("ZUGFeRD 1", ex.Message);
        Assert.True(ex.IsEInvoice);
    }

    [Fact]
    public void Parse_ReadsTheFieldsOfAUblInvoice_PreferringTheSellersLegalName()
    {
        var invoice = Parse(Ubl());

        Assert.Equal(EInvoiceSyntax.Ubl, invoice.Syntax);
        Assert.Equal("embedded_ubl", invoice.Method);
        Assert.False(invoice.IsCreditNote);
        Assert.Equal("Birkenweg Holzwerkstatt GmbH", invoice.Issuer);
        Assert.Equal("WS-2024-117", invoice.InvoiceNumber);
        Assert.Equal((new DateOnly(2024, 3, 11), new DateOnly(2024, 4, 10)), (invoice.Date, invoice.DueDate));
        Assert.Equal("EUR", invoice.Currency);
        Assert.Equal((450.00m, 85.50m, 535.50m), (invoice.Net, invoice.Tax, invoice.Total));
        Assert.Equal(
            [new LineItem("Oak reading desk", 2m, 150.00m, 300.00m), new LineItem("Beech shelf board", 4m, 37.5m, 150.00m)],
            invoice.LineItems);
        Assert.Empty(invoice.Warnings);
    }

    [Fact]
    public void Parse_ReadsAUblCreditNote_WithItsOwnLineNames_AndTheDueDateFromThePaymentMeans()
    {
        var note = Parse(Ubl(creditNote: true));

        Assert.True(note.IsCreditNote);
        Assert.Equal(new DateOnly(2024, 4, 10), note.DueDate);
        Assert.Equal((-450.00m, -85.50m, -535.50m), (note.Net, note.Tax, note.Total));
        Assert.Equal(
            [new LineItem("Oak reading desk", -2m, 150.00m, -300.00m), new LineItem("Beech shelf board", -4m, 37.5m, -150.00m)],
            note.LineItems);
    }

    [Fact]
    public void Parse_ReadsAUblDateWithATimeZone_AsTheDayItNames()
    {
        Assert.Equal(new DateOnly(2024, 3, 11), Parse(Ubl().Replace("2024-03-11<", "2024-03-11+01:00<")).Date);
    }
}
