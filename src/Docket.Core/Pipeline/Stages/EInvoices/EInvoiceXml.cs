using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Docket.Core.Pipeline.Stages.EInvoices;

/// <summary>The XML is damaged, or an e-invoice whose values cannot be read. The message is shown to users.</summary>
/// <param name="isEInvoice">The root element was a CII or UBL invoice: the XML meant to be one.</param>
public sealed class EInvoiceFormatException(string message, bool isEInvoice, Exception? inner = null) : Exception(message, inner)
{
    public bool IsEInvoice { get; } = isEInvoice;
}

/// <summary>
/// Reads the invoice fields of a CII (Factur-X, ZUGFeRD 2, XRechnung) or UBL 2 (Invoice, CreditNote)
/// XML. Elements are matched by namespace URI and local name, never by prefix, so any prefixes (or
/// none) work. The reader refuses DTDs, so neither external entities nor entity expansion can reach
/// the file system, the network or memory, and it stops at <see cref="MaxCharacters"/>.
/// </summary>
public static class EInvoiceXml
{
    public const int MaxCharacters = 8 * 1024 * 1024;

    private static readonly XNamespace Rsm = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
    private static readonly XNamespace Ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
    private static readonly XNamespace Udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

    private static readonly XNamespace UblInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace UblCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    private static readonly XNamespace Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
    private static readonly XNamespace Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";

    /// <summary>The UNTDID 1001 document types that EN 16931 treats as credit notes; 381 is the usual one.</summary>
    private static readonly HashSet<string> CreditNoteTypes = ["81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "502", "503", "532"];

    /// <summary>At most one cent apart, as rounding per line allows.</summary>
    private const decimal Tolerance = 0.01m;

    /// <returns>The invoice, or null when the XML is well-formed but neither a CII nor a UBL invoice.</returns>
    /// <exception cref="EInvoiceFormatException">Not well-formed, declares a DTD, is too large, or holds values that are not what their element requires.</exception>
    public static EInvoice? Parse(Stream xml)
    {
        var root = Load(xml);
        if (root.Name == Rsm + "CrossIndustryInvoice") return ReadCii(root);
        if (root.Name == UblInvoice + "Invoice" || root.Name == UblCreditNote + "CreditNote") return ReadUbl(root);
        if (root.Name.LocalName == "CrossIndustryDocument")
            throw new EInvoiceFormatException("It is a ZUGFeRD 1 invoice (CrossIndustryDocument); only CII D16B (Factur-X, ZUGFeRD 2) and UBL are read.", isEInvoice: true);
        return null;
    }

    public static EInvoice? Parse(byte[] xml) => Parse(new MemoryStream(xml, writable: false));

    private static XElement Load(Stream xml)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxCharacters,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = false,
        };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            return XDocument.Load(reader).Root ?? throw new EInvoiceFormatException("The XML has no root element.", isEInvoice: false);
        }
        catch (XmlException ex)
        {
            throw new EInvoiceFormatException($"The XML could not be read: {ex.Message}", isEInvoice: false, ex);
        }
    }

    private static EInvoice ReadCii(XElement root)
    {
        var warnings = new List<string>();
        var document = root.Element(Rsm + "ExchangedDocument");
        var transaction = root.Element(Rsm + "SupplyChainTradeTransaction");
        var settlement = transaction?.Element(Ram + "ApplicableHeaderTradeSettlement");
        var sums = settlement?.Element(Ram + "SpecifiedTradeSettlementHeaderMonetarySummation");
        var currency = Text(settlement?.Element(Ram + "InvoiceCurrencyCode"));
        var dueDate = settlement?.Elements(Ram + "SpecifiedTradePaymentTerms")
            .Select(terms => terms.Element(Ram + "DueDateDateTime")).FirstOrDefault(e => e is not null);

        var lines = transaction?.Elements(Ram + "IncludedSupplyChainTradeLineItem").Select(line =>
        {
            var price = line.Element(Ram + "SpecifiedLineTradeAgreement")?.Element(Ram + "NetPriceProductTradePrice");
            return new LineItem(
                Text(line.Element(Ram + "SpecifiedTradeProduct")?.Element(Ram + "Name")) ?? "",
                Number(line.Element(Ram + "SpecifiedLineTradeDelivery")?.Element(Ram + "BilledQuantity")),
                UnitPrice(Number(price?.Element(Ram + "ChargeAmount")), Number(price?.Element(Ram + "BasisQuantity"))),
                Number(line.Element(Ram + "SpecifiedLineTradeSettlement")
                    ?.Element(Ram + "SpecifiedTradeSettlementLineMonetarySummation")?.Element(Ram + "LineTotalAmount")));
        }).ToList() ?? [];

        return Finish(new EInvoice(
            EInvoiceSyntax.Cii,
            CreditNoteTypes.Contains(Text(document?.Element(Ram + "TypeCode")) ?? ""),
            Text(transaction?.Element(Ram + "ApplicableHeaderTradeAgreement")?.Element(Ram + "SellerTradeParty")?.Element(Ram + "Name")),
            Text(document?.Element(Ram + "ID")),
            CiiDate(document?.Element(Ram + "IssueDateTime"), "invoice date", warnings),
            CiiDate(dueDate, "due date", warnings),
            currency,
            Number(sums?.Element(Ram + "TaxBasisTotalAmount")),
            TaxInCurrency(sums?.Elements(Ram + "TaxTotalAmount"), currency, warnings),
            Number(sums?.Element(Ram + "GrandTotalAmount")),
            lines,
            warnings));
    }

    private static EInvoice ReadUbl(XElement root)
    {
        var warnings = new List<string>();
        var creditNote = root.Name.LocalName == "CreditNote";
        var party = root.Element(Cac + "AccountingSupplierParty")?.Element(Cac + "Party");
        var totals = root.Element(Cac + "LegalMonetaryTotal");
        var currency = Text(root.Element(Cbc + "DocumentCurrencyCode"));
        var dueDate = root.Element(Cbc + "DueDate")
            ?? root.Elements(Cac + "PaymentMeans").Select(m => m.Element(Cbc + "PaymentDueDate")).FirstOrDefault(e => e is not null);

        var lines = root.Elements(Cac + (creditNote ? "CreditNoteLine" : "InvoiceLine")).Select(line =>
        {
            var item = line.Element(Cac + "Item");
            var price = line.Element(Cac + "Price");
            return new LineItem(
                Text(item?.Element(Cbc + "Name")) ?? Text(item?.Element(Cbc + "Description")) ?? "",
                Number(line.Element(Cbc + (creditNote ? "CreditedQuantity" : "InvoicedQuantity"))),
                UnitPrice(Number(price?.Element(Cbc + "PriceAmount")), Number(price?.Element(Cbc + "BaseQuantity"))),
                Number(line.Element(Cbc + "LineExtensionAmount")));
        }).ToList();

        return Finish(new EInvoice(
            EInvoiceSyntax.Ubl,
            creditNote || CreditNoteTypes.Contains(Text(root.Element(Cbc + "InvoiceTypeCode")) ?? ""),
            // The legal name (EN 16931 BT-27) is the seller's name; the trading name (BT-28) only stands in for it.
            Text(party?.Element(Cac + "PartyLegalEntity")?.Element(Cbc + "RegistrationName")) ?? Text(party?.Element(Cac + "PartyName")?.Element(Cbc + "Name")),
            Text(root.Element(Cbc + "ID")),
            UblDate(root.Element(Cbc + "IssueDate")),
            UblDate(dueDate),
            currency,
            Number(totals?.Element(Cbc + "TaxExclusiveAmount")),
            TaxInCurrency(root.Elements(Cac + "TaxTotal").Select(t => t.Element(Cbc + "TaxAmount")).OfType<XElement>(), currency, warnings),
            Number(totals?.Element(Cbc + "TaxInclusiveAmount")),
            lines,
            warnings));
    }

    /// <summary>Checks what every reader needs, then turns a credit note's amounts negative.</summary>
    private static EInvoice Finish(EInvoice invoice)
    {
        if (invoice.InvoiceNumber is null && invoice.Total is null)
            throw new EInvoiceFormatException("The e-invoice states neither an invoice number nor a total.", isEInvoice: true);

        var warnings = invoice.Warnings.ToList();
        if (invoice is { Net: { } net, Total: { } total } && Math.Abs(net + (invoice.Tax ?? 0) - total) > Tolerance)
            warnings.Add($"The e-invoice's net {Format(net)} plus tax {Format(invoice.Tax ?? 0)} is not its total {Format(total)}.");
        invoice = invoice with { Warnings = warnings };
        if (!invoice.IsCreditNote) return invoice;

        return invoice with
        {
            Net = Negative(invoice.Net),
            Tax = Negative(invoice.Tax),
            Total = Negative(invoice.Total),
            LineItems = invoice.LineItems.Select(l => l with { Quantity = Negative(l.Quantity), Amount = Negative(l.Amount) }).ToList(),
        };
    }

    /// <summary>Money going back is negative, whether the XML wrote a sign (some senders do) or not.</summary>
    private static decimal? Negative(decimal? value) => value > 0 ? -value : value;

    private static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string? Text(XElement? element)
    {
        var text = element?.Value.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>An xs:decimal: optional sign, digits, optional point. Anything else means the XML is not what it claims.</summary>
    private static decimal? Number(XElement? element)
    {
        if (Text(element) is not { } text) return null;
        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new EInvoiceFormatException($"The e-invoice's {element!.Name.LocalName} '{Shorten(text)}' is not a number.", isEInvoice: true);
    }

    /// <summary>A price may be stated per basis quantity (10.00 per 100 pieces); the line item wants it per unit.</summary>
    private static decimal? UnitPrice(decimal? price, decimal? basisQuantity) =>
        price is { } p && basisQuantity is { } q && q != 0 && q != 1 ? Math.Round(p / q, 6) : price;

    /// <summary>
    /// The tax total in the invoice currency. An invoice whose VAT is accounted in another currency
    /// states the tax twice, once per currency, each marked with its currencyID.
    /// </summary>
    private static decimal? TaxInCurrency(IEnumerable<XElement>? amounts, string? currency, List<string> warnings)
    {
        var all = amounts?.ToList() ?? [];
        if (all.Count == 0) return null;
        var inCurrency = all.FirstOrDefault(a => (string?)a.Attribute("currencyID") == currency)
            ?? all.FirstOrDefault(a => a.Attribute("currencyID") is null);
        if (inCurrency is not null) return Number(inCurrency);

        warnings.Add($"The e-invoice states its tax only in {string.Join(", ", all.Select(a => (string?)a.Attribute("currencyID")))}, not in its currency {currency}; the tax was left out.");
        return null;
    }

    /// <summary>A CII date: udt:DateTimeString in format 102 (yyyyMMdd), the only one EN 16931 allows for these dates.</summary>
    private static DateOnly? CiiDate(XElement? container, string what, List<string> warnings)
    {
        var value = container?.Element(Udt + "DateTimeString");
        if (Text(value) is not { } text) return null;
        var format = (string?)value!.Attribute("format") ?? "102";
        if (format != "102")
        {
            warnings.Add($"The e-invoice's {what} is in date format {format}, not 102 (a calendar day); it was left out.");
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new EInvoiceFormatException($"The e-invoice's {what} '{Shorten(text)}' is not a date in format 102 (yyyyMMdd).", isEInvoice: true);
    }

    /// <summary>A UBL date: xs:date, yyyy-MM-dd, possibly followed by a time zone ("Z", "+01:00") that does not move the day.</summary>
    private static DateOnly? UblDate(XElement? element)
    {
        if (Text(element) is not { } text) return null;
        return text.Length >= 10 && DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            && (text.Length == 10 || text[10] is 'Z' or '+' or '-')
            ? date
            : throw new EInvoiceFormatException($"The e-invoice's {element!.Name.LocalName} '{Shorten(text)}' is not a date (yyyy-MM-dd).", isEInvoice: true);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
