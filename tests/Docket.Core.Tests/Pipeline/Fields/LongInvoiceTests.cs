using System.Globalization;
using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Tests.Pipeline.Fields;

/// <summary>
/// A statement of many pages: labels are read in its head and its tail, line items on every page.
/// </summary>
public sealed class LongInvoiceTests
{
    private const int Pages = 60;
    private const int RowsPerPage = 50;

    /// <summary>Header on page 1, a table and its page total on every page, totals at the end.</summary>
    private static string Statement(out decimal net)
    {
        var text = new StringBuilder();
        text.AppendLine("Kestrel Freight Services Ltd");
        text.AppendLine("7 Dock Lane, Leith EH6 6QR");
        text.AppendLine();
        text.AppendLine("STATEMENT INVOICE");
        text.AppendLine("Invoice No.:      KFS-2025-0417");
        text.AppendLine("Invoice date:     3 February 2025");
        text.AppendLine("Due date:         5 March 2025");
        text.AppendLine();
        net = 0m;
        var row = 0;
        var pageTotal = 0m;
        for (var page = 1; page <= Pages; page++)
        {
            text.AppendLine("Ref       Description                          Qty    Unit price       Amount");
            for (var r = 0; r < RowsPerPage; r++)
            {
                row++;
                var quantity = 1 + row % 7;
                var price = 10m + row % 90;
                net += quantity * price;
                pageTotal += quantity * price;
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"R{row:D5}    Pallet transport, route {row % 13,-16} {quantity,4} {price,13:N2} {quantity * price,12:N2}"));
            }
            text.AppendLine();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Page total:        GBP {pageTotal,12:N2}"));
            pageTotal = 0;
            text.AppendLine($"Page {page} of {Pages}");
            text.AppendLine();
        }

        var tax = net * 0.2m;
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Subtotal:          GBP {net,12:N2}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"VAT 20%:           GBP {tax,12:N2}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Total:             GBP {net + tax,12:N2}"));
        return text.ToString();
    }

    [Fact]
    public void ALongStatement_HasItsHeaderReadFromTheTop_ItsTotalsFromTheEnd_AndEveryLineItem()
    {
        var text = Statement(out var net);
        Assert.True(text.Length > InvoiceFieldExtractor.HeadCharacters + InvoiceFieldExtractor.TailCharacters * 5, $"{text.Length} characters");

        var fields = InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "pdftotext"), Categories.Invoice);

        var tax = net * 0.2m;
        InvoiceLayoutTests.AssertFields(fields, "Kestrel Freight Services Ltd", "KFS-2025-0417", "2025-02-03", "2025-03-05",
            Amounts.Format(net), Amounts.Format(tax), Amounts.Format(net + tax), "GBP");
        Assert.Equal(Pages * RowsPerPage, fields.LineItems.Count);
        Assert.Equal(net, fields.LineItems.Sum(item => item.Amount));
    }

    [Fact]
    public void ALongStatement_GivesEachValueItsPlace_InTheWholeText()
    {
        var text = Statement(out _);

        var fields = InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], "pdftotext"), Categories.Invoice);

        var total = fields.Values[FieldNames.Total];
        Assert.NotNull(total.Source);
        Assert.Equal(total.Value, Amounts.Format(decimal.Parse(text[total.Source.Start..total.Source.End], NumberStyles.Number, CultureInfo.InvariantCulture)));
        Assert.True(total.Source.Start > text.Length - InvoiceFieldExtractor.TailCharacters);
    }
}
