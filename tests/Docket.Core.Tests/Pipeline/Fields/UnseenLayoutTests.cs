using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Tests.Pipeline.Fields;

/// <summary>
/// Invented documents in languages and layouts that none of the development sets has, read with the
/// shipped field model as a worker reads them: what the model learned must carry over to them.
/// </summary>
public sealed class UnseenLayoutTests
{
    private static IReadOnlyDictionary<string, ExtractedField> Read(string text, string category = Categories.Invoice, string method = "pdftotext") =>
        InvoiceFieldExtractor.Extract(new ExtractedText(text, [0], method), category).Values;

    private static void AssertField(IReadOnlyDictionary<string, ExtractedField> fields, string name, string? expected) =>
        Assert.True(fields.GetValueOrDefault(name)?.Value == expected,
            $"{name}: expected {expected ?? "null"}, got {fields.GetValueOrDefault(name)?.Value ?? "null"}");

    [Fact]
    public void ADutchInvoice_WithItsSellerAboveAndTheCustomerBlockBesideTheDetails()
    {
        var fields = Read("""
            Drukkerij Het Anker B.V.
            Havenkade 21
            9712 CA Groningen
            KvK 12345678   BTW NL123456789B01

            Factuur aan:                              Factuurnummer:   2025-0117
            Stichting Buurthuis De Linde              Factuurdatum:    14-10-2025
            Lindelaan 4                               Vervaldatum:     13-11-2025
            8011 PK Zwolle

            Omschrijving                    Aantal      Prijs        Bedrag
            Flyers A5, 2.500 stuks               1     345,00        345,00
            Posters A2                          20       4,75         95,00

                                           Subtotaal                440,00
                                           BTW 21%                   92,40
                                           Totaal                   532,40

            Gelieve te betalen binnen 30 dagen op NL91ABNA0417164300.
            """);

        AssertField(fields, FieldNames.Issuer, "Drukkerij Het Anker B.V.");
        AssertField(fields, FieldNames.InvoiceNumber, "2025-0117");
        AssertField(fields, FieldNames.Date, "2025-10-14");
        AssertField(fields, FieldNames.DueDate, "2025-11-13");
        AssertField(fields, FieldNames.Total, "532.40");
        AssertField(fields, FieldNames.Tax, "92.40");
    }

    [Fact]
    public void APolishInvoice_NamesItsSellerAndBuyerByLabel()
    {
        var fields = Read("""
                                                            FAKTURA VAT nr FV/2025/03/118
                                                            Data wystawienia: 21.03.2025
                                                            Termin płatności: 04.04.2025

            Sprzedawca:                               Nabywca:
            Zakład Stolarski Wiórek Sp. z o.o.        Hotel Pod Lipami S.A.
            ul. Leśna 3, 30-001 Kraków                ul. Rynek 10, 31-042 Kraków
            NIP 6750001234                            NIP 6760005678

            Lp.  Nazwa                    Ilość   Cena netto   Wartość netto
            1    Stół dębowy                  2     2 100,00        4 200,00
            2    Krzesło                     12       350,00        4 200,00

                                             Razem netto          8 400,00 zł
                                             VAT 23%              1 932,00 zł
                                             Do zapłaty          10 332,00 zł
            """);

        AssertField(fields, FieldNames.Issuer, "Zakład Stolarski Wiórek Sp. z o.o.");
        AssertField(fields, FieldNames.Date, "2025-03-21");
        AssertField(fields, FieldNames.Total, "10332.00");
        AssertField(fields, FieldNames.Tax, "1932.00");
    }

    [Fact]
    public void ASpanishInvoice_WithTheTotalsInATableAtTheFoot()
    {
        var fields = Read("""
            Talleres Mecánicos Ribera S.L.
            Calle del Puerto 15, 46011 Valencia
            CIF B12345678

            FACTURA                                    Nº de factura: 2025/0456
                                                       Fecha: 07/05/2025
            Cliente: Transportes Levante S.A.
            Avenida del Cid 200, 46018 Valencia

            Concepto                                   Importe
            Cambio de aceite y filtros                  180,00 €
            Revisión de frenos                          240,00 €

            Base imponible          IVA 21%          Total factura
                 420,00 €           88,20 €              508,20 €
            """);

        AssertField(fields, FieldNames.Issuer, "Talleres Mecánicos Ribera S.L.");
        AssertField(fields, FieldNames.InvoiceNumber, "2025/0456");
        AssertField(fields, FieldNames.Date, "2025-05-07");
        AssertField(fields, FieldNames.Total, "508.20");
    }

    [Fact]
    public void AReceipt_TotalIsNotTheCashTenderedNorTheChange()
    {
        var fields = Read("""
                    KEDAI BUKU CAHAYA ILMU
                  NO 8, JALAN MAWAR 2, TAMAN SERI
                    43000 KAJANG, SELANGOR
                      TEL: 03-8736 1122

            RECEIPT NO : CS20045            DATE: 12/06/2019
            CASHIER : AMIN                  TIME: 14:22

            ITEM                    QTY      AMOUNT
            PEN GEL BIRU              3        5.70
            BUKU LATIHAN A4           5       12.50
            PEMBARIS 30CM             1        2.20

            TOTAL                             20.40
            CASH                              50.00
            CHANGE                            29.60

                  THANK YOU, PLEASE COME AGAIN
            """, Categories.Receipt, "ocr");

        AssertField(fields, FieldNames.Total, "20.40");
        AssertField(fields, FieldNames.Date, "2019-06-12");
        AssertField(fields, FieldNames.Issuer, "KEDAI BUKU CAHAYA ILMU");
    }
}
