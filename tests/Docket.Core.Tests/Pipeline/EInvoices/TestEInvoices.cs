using System.Text;

namespace Docket.Core.Tests.Pipeline.EInvoices;

/// <summary>E-invoice XML written for these tests: a furniture workshop's invoice to a school, in CII and in UBL.</summary>
public static class TestEInvoices
{
    public const string CiiNamespace = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

    /// <summary>
    /// A CII invoice: 2 × 150.00 + 4 × 37.50 = 450.00 net, 85.50 VAT (19 %), 535.50 total, in EUR.
    /// <paramref name="taxTotals"/> replaces the one TaxTotalAmount; <paramref name="extraHeader"/> goes before the root.
    /// </summary>
    public static string Cii(
        string typeCode = "380",
        string issueDate = "<udt:DateTimeString format=\"102\">20240311</udt:DateTimeString>",
        string taxTotals = "<ram:TaxTotalAmount currencyID=\"EUR\">85.50</ram:TaxTotalAmount>",
        string grandTotal = "535.50",
        string extraHeader = "") => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        {extraHeader}
        <rsm:CrossIndustryInvoice
            xmlns:rsm="{CiiNamespace}"
            xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
            xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
          <rsm:ExchangedDocumentContext>
            <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
          </rsm:ExchangedDocumentContext>
          <rsm:ExchangedDocument>
            <ram:ID>WS-2024-117</ram:ID>
            <ram:TypeCode>{typeCode}</ram:TypeCode>
            <ram:IssueDateTime>{issueDate}</ram:IssueDateTime>
          </rsm:ExchangedDocument>
          <rsm:SupplyChainTradeTransaction>
            <ram:IncludedSupplyChainTradeLineItem>
              <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
              <ram:SpecifiedTradeProduct><ram:Name>Oak reading desk</ram:Name></ram:SpecifiedTradeProduct>
              <ram:SpecifiedLineTradeAgreement>
                <ram:NetPriceProductTradePrice><ram:ChargeAmount>150.00</ram:ChargeAmount></ram:NetPriceProductTradePrice>
              </ram:SpecifiedLineTradeAgreement>
              <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">2</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
              <ram:SpecifiedLineTradeSettlement>
                <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>300.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
              </ram:SpecifiedLineTradeSettlement>
            </ram:IncludedSupplyChainTradeLineItem>
            <ram:IncludedSupplyChainTradeLineItem>
              <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID></ram:AssociatedDocumentLineDocument>
              <ram:SpecifiedTradeProduct><ram:Name>Beech shelf board</ram:Name></ram:SpecifiedTradeProduct>
              <ram:SpecifiedLineTradeAgreement>
                <ram:NetPriceProductTradePrice><ram:ChargeAmount>375.00</ram:ChargeAmount><ram:BasisQuantity unitCode="H87">10</ram:BasisQuantity></ram:NetPriceProductTradePrice>
              </ram:SpecifiedLineTradeAgreement>
              <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">4</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
              <ram:SpecifiedLineTradeSettlement>
                <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>150.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
              </ram:SpecifiedLineTradeSettlement>
            </ram:IncludedSupplyChainTradeLineItem>
            <ram:ApplicableHeaderTradeAgreement>
              <ram:BuyerTradeParty><ram:Name>Lindenhof Grammar School</ram:Name></ram:BuyerTradeParty>
              <ram:SellerTradeParty><ram:Name>Birkenweg Holzwerkstatt GmbH</ram:Name></ram:SellerTradeParty>
            </ram:ApplicableHeaderTradeAgreement>
            <ram:ApplicableHeaderTradeSettlement>
              <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
              <ram:SpecifiedTradePaymentTerms><ram:Description>Net 30</ram:Description></ram:SpecifiedTradePaymentTerms>
              <ram:SpecifiedTradePaymentTerms>
                <ram:DueDateDateTime><udt:DateTimeString format="102">20240410</udt:DateTimeString></ram:DueDateDateTime>
              </ram:SpecifiedTradePaymentTerms>
              <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
                <ram:LineTotalAmount>450.00</ram:LineTotalAmount>
                <ram:TaxBasisTotalAmount>450.00</ram:TaxBasisTotalAmount>
                {taxTotals}
                <ram:GrandTotalAmount>{grandTotal}</ram:GrandTotalAmount>
                <ram:DuePayableAmount>{grandTotal}</ram:DuePayableAmount>
              </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
            </ram:ApplicableHeaderTradeSettlement>
          </rsm:SupplyChainTradeTransaction>
        </rsm:CrossIndustryInvoice>
        """;

    /// <summary>The same invoice in UBL: an Invoice, or a CreditNote with its own line and quantity element names.</summary>
    public static string Ubl(bool creditNote = false)
    {
        var root = creditNote ? "CreditNote" : "Invoice";
        var line = creditNote ? "CreditNoteLine" : "InvoiceLine";
        var quantity = creditNote ? "CreditedQuantity" : "InvoicedQuantity";
        // A credit note states its due date in the payment means; an invoice at the top.
        var dueDate = creditNote ? "" : "<cbc:DueDate>2024-04-10</cbc:DueDate>";
        var paymentMeans = creditNote
            ? "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-04-10</cbc:PaymentDueDate></cac:PaymentMeans>"
            : "";
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2"
                xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
                xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
              <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
              <cbc:ID>WS-2024-117</cbc:ID>
              <cbc:IssueDate>2024-03-11</cbc:IssueDate>
              {dueDate}
              <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
              <cac:AccountingSupplierParty>
                <cac:Party>
                  <cac:PartyName><cbc:Name>Holzwerkstatt Birkenweg</cbc:Name></cac:PartyName>
                  <cac:PartyLegalEntity><cbc:RegistrationName>Birkenweg Holzwerkstatt GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
                </cac:Party>
              </cac:AccountingSupplierParty>
              <cac:AccountingCustomerParty>
                <cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Lindenhof Grammar School</cbc:RegistrationName></cac:PartyLegalEntity></cac:Party>
              </cac:AccountingCustomerParty>
              {paymentMeans}
              <cac:TaxTotal>
                <cbc:TaxAmount currencyID="EUR">85.50</cbc:TaxAmount>
                <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">450.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">85.50</cbc:TaxAmount></cac:TaxSubtotal>
              </cac:TaxTotal>
              <cac:TaxTotal><cbc:TaxAmount currencyID="CHF">82.31</cbc:TaxAmount></cac:TaxTotal>
              <cac:LegalMonetaryTotal>
                <cbc:LineExtensionAmount currencyID="EUR">450.00</cbc:LineExtensionAmount>
                <cbc:TaxExclusiveAmount currencyID="EUR">450.00</cbc:TaxExclusiveAmount>
                <cbc:TaxInclusiveAmount currencyID="EUR">535.50</cbc:TaxInclusiveAmount>
                <cbc:PayableAmount currencyID="EUR">535.50</cbc:PayableAmount>
              </cac:LegalMonetaryTotal>
              <cac:{line}>
                <cbc:ID>1</cbc:ID>
                <cbc:{quantity} unitCode="H87">2</cbc:{quantity}>
                <cbc:LineExtensionAmount currencyID="EUR">300.00</cbc:LineExtensionAmount>
                <cac:Item><cbc:Description>Solid oak, oiled</cbc:Description><cbc:Name>Oak reading desk</cbc:Name></cac:Item>
                <cac:Price><cbc:PriceAmount currencyID="EUR">150.00</cbc:PriceAmount></cac:Price>
              </cac:{line}>
              <cac:{line}>
                <cbc:ID>2</cbc:ID>
                <cbc:{quantity} unitCode="H87">4</cbc:{quantity}>
                <cbc:LineExtensionAmount currencyID="EUR">150.00</cbc:LineExtensionAmount>
                <cac:Item><cbc:Name>Beech shelf board</cbc:Name></cac:Item>
                <cac:Price><cbc:PriceAmount currencyID="EUR">375.00</cbc:PriceAmount><cbc:BaseQuantity unitCode="H87">10</cbc:BaseQuantity></cac:Price>
              </cac:{line}>
            </{root}>
            """;
    }

    public static byte[] Bytes(string xml) => Encoding.UTF8.GetBytes(xml);

    /// <summary>How the PDF of <see cref="Cii"/> prints it, the way a German invoice would.</summary>
    public static IEnumerable<string> PrintedGermanInvoice(string title = "RECHNUNG") =>
    [
        "Birkenweg Holzwerkstatt GmbH",
        "Birkenweg 4, 79098 Freiburg",
        "",
        title,
        "Rechnungsnummer:   WS-2024-117",
        "Rechnungsdatum:    11.03.2024",
        "Zahlbar bis:       10.04.2024",
        "",
        "Pos  Bezeichnung              Menge   Einzelpreis     Gesamt",
        "1    Oak reading desk             2        150,00     300,00",
        "2    Beech shelf board            4         37,50     150,00",
        "",
        "                              Nettobetrag           450,00 EUR",
        "                              USt 19 %               85,50 EUR",
        "                              Rechnungsbetrag       535,50 EUR",
    ];
}
