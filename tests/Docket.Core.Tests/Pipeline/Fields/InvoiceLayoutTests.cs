using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline.Fields;

/// <summary>
/// Invented documents in the layouts invoices come in (English, German, French; letters, two-column
/// PDFs, receipts, e-mails, JSON exports), each read for all eight fields.
/// </summary>
public sealed class InvoiceLayoutTests
{
    internal static ExtractedFields Read(string text, string category = Categories.Invoice, FileKind kind = FileKind.Text, string method = "native") =>
        InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], method), category, kind);

    internal static void AssertFields(ExtractedFields fields, string? issuer, string? number, string? date, string? due,
        string? net, string? tax, string? total, string? currency)
    {
        string? Value(string name) => fields.Values.TryGetValue(name, out var field) ? field.Value : null;
        Assert.Equal(
            (issuer, number, date, due, net, tax, total, currency),
            (Value(FieldNames.Issuer), Value(FieldNames.InvoiceNumber), Value(FieldNames.Date), Value(FieldNames.DueDate),
                Value(FieldNames.Net), Value(FieldNames.Tax), Value(FieldNames.Total), Value(FieldNames.Currency)));
    }

    [Fact]
    public void ATwoColumnUsInvoice_WithARetainerPaid_KeepsTheInvoiceTotal_AndReadsDatesMonthFirst()
    {
        var fields = Read("""
            Tidewater Survey Partners LLC                                              INVOICE
            2200 Pier Road, Suite 14
            Norfolk, VA 23510                                              Invoice No.     TSP-7781
            Phone (757) 555-0199                                          Invoice date     02/11/2025
            ap@tidewater-survey.example                                       Due date     03/13/2025
                                                                          Customer ID         C-220

            Bill to
            Harbor View Condominiums Inc.
            10 Ocean Drive
            Virginia Beach, VA 23451

            Description                                            Qty       Unit price        Amount
            Boundary survey                                          1         1,850.00      1,850.00
            Elevation certificate                                    2           425.00        850.00

                                                            Subtotal                       $2,700.00
                                                            Total                          $2,700.00
                                                            Less: retainer received         -$500.00
                                                            Amount due                     $2,200.00
            """);

        AssertFields(fields, "Tidewater Survey Partners LLC", "TSP-7781", "2025-02-11", "2025-03-13", "2700.00", null, "2700.00", "USD");
        Assert.Equal(2, fields.LineItems.Count);
        Assert.Empty(fields.Warnings);
    }

    [Fact]
    public void AGermanBusinessLetter_TakesTheIssuerFromTheSenderLine_AndAddsUpTwoVatRates()
    {
        var fields = Read("""
                                                                  Feinmechanik Ostermann GmbH & Co. KG
                                                                                   Werkstraße 12
                                                                                   73430 Aalen

            Feinmechanik Ostermann GmbH & Co. KG · Werkstraße 12 · 73430 Aalen

            Buchhandlung Lindner                                         Rechnungs-Nr.:        R-2025-0311
            Marktplatz 3                                                 Datum:                 14.03.2025
            89073 Ulm                                                    Kundennummer:              K-4471

            Rechnung R-2025-0311

            Pos.   Bezeichnung                         Menge     Einzelpreis     Gesamt
            1      Präzisionswelle Ø 12 mm                 4           38,50     154,00
            2      Fachbuch Zerspanung                     2           29,90      59,80

                                                       Nettobetrag                 213,80 €
                                                       USt. 19 %                    29,26 €
                                                       USt. 7 %                      4,19 €
                                                       Rechnungsbetrag             247,25 €

            Zahlbar bis 28.03.2025 ohne Abzug.
            """);

        AssertFields(fields, "Feinmechanik Ostermann GmbH & Co. KG", "R-2025-0311", "2025-03-14", "2025-03-28", "213.80", "33.45", "247.25", "EUR");
        Assert.Null(fields.Values[FieldNames.Tax].Source); // a sum of two lines has no single place in the text
        Assert.Empty(fields.Warnings);
    }

    [Fact]
    public void AFrenchInvoice_WithNoBreakSpaceGrouping_ReadsHtTvaAndTtc()
    {
        var fields = Read("""
            Menuiserie Caradec SARL
            7 rue des Forges
            29200 Brest
            SIRET 512 448 903 00021

            FACTURE
            N° de facture : MC-25-0042
            Date de facture : 3 février 2025
            Date d'échéance : 5 mars 2025

            Désignation                          Qté       PU HT     Montant HT
            Escalier chêne sur mesure              1    4 180,00       4 180,00
            Pose                                   6       52,50         315,00

            Total HT : 4 495,00 €
            TVA 20 % : 899,00 €
            Total TTC : 5 394,00 €
            """.Replace("4 180", "4\u00A0180").Replace("4 495", "4\u00A0495").Replace("5 394", "5\u00A0394"));

        AssertFields(fields, "Menuiserie Caradec SARL", "MC-25-0042", "2025-02-03", "2025-03-05", "4495.00", "899.00", "5394.00", "EUR");
        Assert.Equal(new LineItem("Pose", 6m, 52.50m, 315.00m), fields.LineItems[1]);
    }

    [Fact]
    public void AFrenchSmallBusiness_ThatChargesNoVat_HasATaxOfZero()
    {
        const string text = """
            Camille Roux – Graphiste
            14 impasse des Lilas, 69003 Lyon

            Facture n° 2025-017
            Date : 12/01/2025

            Création de logo .................. 650,00 €
            Total à payer : 650,00 €

            TVA non applicable, article 293 B du CGI.
            """;

        var fields = Read(text);

        AssertFields(fields, "Camille Roux – Graphiste", "2025-017", "2025-01-12", null, "650.00", "0.00", "650.00", "EUR");
        var tax = fields.Values[FieldNames.Tax].Source!;
        Assert.Equal("TVA non applicable", text[tax.Start..tax.End]);
    }

    [Fact]
    public void AGermanSmallBusiness_ThatChargesNoVat_HasATaxOfZero()
    {
        var fields = Read("""
            **Jonas Weber Fotografie**
            Am Hang 3, 01099 Dresden

            Rechnungsnummer: JW-88
            Rechnungsdatum: 2. Mai 2025

            | Leistung | Betrag |
            |---|--:|
            | Hochzeitsreportage | 1.200,00 € |

            Gesamtbetrag: 1.200,00 €

            Gemäß § 19 UStG wird keine Umsatzsteuer berechnet.
            """, kind: FileKind.Markdown);

        AssertFields(fields, "Jonas Weber Fotografie", "JW-88", "2025-05-02", null, "1200.00", "0.00", "1200.00", "EUR");
    }

    [Fact]
    public void AnEnglishTillReceipt_ThatIncludesVat_GivesTheNetAsTotalLessTax()
    {
        var fields = Read("""
                  The Copper Kettle
                  3 Bridge Street
                  Totnes TQ9 5AA
               VAT No. GB 552 1180 42
            ----------------------------------
            Receipt No. 7731
            21/06/2025                   12:02
            ----------------------------------
            Cream tea                     8.50
            Lemonade                      3.20
            ----------------------------------
            TOTAL                       £11.70
            incl. VAT 20%                £1.95
            ----------------------------------
            Card                        £11.70
            """, Categories.Receipt);

        AssertFields(fields, "The Copper Kettle", "7731", "2025-06-21", null, "9.75", "1.95", "11.70", "GBP");
        Assert.Null(fields.Values[FieldNames.Net].Source);
        Assert.True(fields.Values[FieldNames.Net].Confidence < fields.Values[FieldNames.Total].Confidence);
    }

    [Fact]
    public void AGermanReceiptInCapitals_GivesTheIssuerAsPrinted()
    {
        var fields = Read("""
                 AUTOHAUS BRANDT GMBH
                  Industriestraße 9
                    48149 Münster
            ------------------------------------
            Beleg-Nr. 55102
            09.07.2025                     16:45
            ------------------------------------
            Wagenwäsche Premium            19,90
            Scheibenreiniger                4,99
            ------------------------------------
            SUMME EUR                      24,89
            enth. MwSt 19 %                 3,97
            Netto                          20,92
            """, Categories.Receipt);

        AssertFields(fields, "AUTOHAUS BRANDT GMBH", "55102", "2025-07-09", null, "20.92", "3.97", "24.89", "EUR");
    }

    [Fact]
    public void AnIndianGstInvoice_ReadsRupeesInLakhGrouping_AndAddsCgstAndSgst()
    {
        var fields = Read("""
            Vasundhara Agro Exports Pvt. Ltd.                                    TAX INVOICE
            Survey No. 41, Hadapsar
            Pune 411028                                                Invoice No.   VAE/25-26/0113
            GSTIN 27AAFCV1234Q1Z9                                      Invoice date     04-Jun-2025
                                                                           Due date     19-Jul-2025
            Bill to
            Malabar Spice Traders
            Kochi 682002

            Subtotal                                   Rs. 3,42,000.00
            CGST @ 9%                                    Rs. 30,780.00
            SGST @ 9%                                    Rs. 30,780.00
            Grand Total                                Rs. 4,03,560.00
            """);

        AssertFields(fields, "Vasundhara Agro Exports Pvt. Ltd.", "VAE/25-26/0113", "2025-06-04", "2025-07-19", "342000.00", "61560.00", "403560.00", "INR");
    }

    [Fact]
    public void AYenReceipt_ReadsAmountsWithoutDecimals()
    {
        var fields = Read("""
            Hoshino Tea House
            1-2-3 Asakusa, Taito-ku, Tokyo
            Receipt No. 000912
            2025/04/18 10:31
            Matcha set        2 x 900   1,800
            Dorayaki                      450
            TOTAL                      ¥2,250
            (incl. tax 8%)               ¥166
            """, Categories.Receipt);

        AssertFields(fields, "Hoshino Tea House", "000912", "2025-04-18", null, "2084.00", "166.00", "2250.00", "JPY");
    }

    [Fact]
    public void AnEmailWithTheInvoiceInItsBody_TakesTheIssuerFromTheSender()
    {
        var fields = Read("""
            From: Northlight Hosting Ltd <billing@northlight.example>
            To: finance@customer.example
            Subject: Invoice NH-55410 for May

            Hello,

            please find your invoice below.

            Invoice No.: NH-55410
            Invoice date: 1 May 2025
            Payment due: 15 May 2025

            Subtotal:        £120.00
            VAT (20%):        £24.00
            Total due:       £144.00
            """);

        AssertFields(fields, "Northlight Hosting Ltd", "NH-55410", "2025-05-01", "2025-05-15", "120.00", "24.00", "144.00", "GBP");
    }

    [Fact]
    public void ADiscountAndShipping_BetweenSubtotalAndTotal_MakeTheNetTheTaxableAmount()
    {
        var fields = Read("""
            Brightside Garden Supplies Ltd
            INVOICE
            Invoice No.: BGS-3012
            Invoice date: 2025-08-01

            Subtotal               £200.00
            Discount (5%)          -£10.00
            Delivery                £15.00
            VAT 20%                 £41.00
            Total                  £246.00
            """);

        AssertFields(fields, "Brightside Garden Supplies Ltd", "BGS-3012", "2025-08-01", null, "205.00", "41.00", "246.00", "GBP");
        Assert.Empty(fields.Warnings);
    }

    [Fact]
    public void ACreditNote_PrintedWithoutSigns_IsStoredNegative_WithItsOwnNumberNotTheInvoices()
    {
        var fields = Read("""
            Hofgut Sonnenberg GmbH · Talweg 2 · 79100 Freiburg

            Weinhandel Auer                                  Gutschrift-Nr.:     GS-2025-014
            Domplatz 8                                       Datum:               20.05.2025
            94032 Passau                                     Zu Rechnung Nr.:     RE-2025-233

            Gutschrift GS-2025-014

            Nettobetrag                 100,00 €
            USt. 19 %                    19,00 €
            Gutschriftsbetrag           119,00 €
            """, Categories.CreditNote);

        AssertFields(fields, "Hofgut Sonnenberg GmbH", "GS-2025-014", "2025-05-20", null, "-100.00", "-19.00", "-119.00", "EUR");
    }

    [Fact]
    public void AFrenchCreditNote_ReadsItsAvoirNumber()
    {
        var fields = Read("""
            Librairie Perrin SAS
            5 quai Saint-Antoine, 69002 Lyon

            AVOIR
            Avoir n° AV-25-009
            Date : 11/04/2025
            Facture d'origine : FA-25-120

            Total HT : -50,00 €
            TVA 5,5 % : -2,75 €
            Total TTC : -52,75 €
            """, Categories.CreditNote);

        AssertFields(fields, "Librairie Perrin SAS", "AV-25-009", "2025-04-11", null, "-50.00", "-2.75", "-52.75", "EUR");
    }

    [Fact]
    public void AJsonExportInMinorUnits_WithUnixDates_IsReadInTheCurrencysMainUnit()
    {
        var json = Docket.Core.Pipeline.Stages.Extraction.JsonTextExtractor.Render("""
            {
              "object": "invoice",
              "number": "QX-2025-0042",
              "account_name": "Quillbox Software, Inc.",
              "created": 1748779200,
              "due_date": 1750032000,
              "currency": "eur",
              "lines": [ { "description": "Pro plan", "quantity": 1, "amount": 12000 } ],
              "subtotal": 12000,
              "tax": 2280,
              "tax_rate": { "percentage": 19.0 },
              "total": 14280
            }
            """);

        var fields = Read(json, kind: FileKind.Json);

        AssertFields(fields, "Quillbox Software, Inc.", "QX-2025-0042", "2025-06-01", "2025-06-16", "120.00", "22.80", "142.80", "EUR");
    }

    [Fact]
    public void AJsonExportWithDecimalAmounts_IsTakenAsItIs()
    {
        var json = Docket.Core.Pipeline.Stages.Extraction.JsonTextExtractor.Render("""
            { "invoice_number": "K-9", "supplier": { "name": "Kappa Tools Ltd" }, "issue_date": "2025-03-01",
              "currency": "GBP", "net_amount": 80.0, "vat_amount": 16.0, "total_amount": 96.0 }
            """);

        var fields = Read(json, kind: FileKind.Json);

        AssertFields(fields, "Kappa Tools Ltd", "K-9", "2025-03-01", null, "80.00", "16.00", "96.00", "GBP");
    }
}
