using System.Globalization;
using System.Text.RegularExpressions;
using Docket.Core.Learning;
using Docket.Core.Pipeline.Stages.Fields.Ranking;
using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>
/// A text-based extractor for invoices, receipts and credit notes: finds labelled values
/// ("Invoice No.:", "Rechnungsdatum", "Total TTC", "Factuurnummer", "Termin płatności", "Att betala") in the
/// languages of <see cref="Analysis.LanguageGuesser.Languages"/>, normalises them,
/// reconciles net, tax and total the way the documents mean them, checks them, and records where
/// each was found. Every value's source covers exactly the raw text it came from; a value worked
/// out from others (a sum of two VAT lines) has no source.
/// </summary>
public static partial class InvoiceFieldExtractor
{
    /// <summary>Net plus tax may differ from the total by rounding, never by more than a cent.</summary>
    public const decimal Tolerance = 0.01m;

    private sealed record Label(Regex Pattern, double Confidence);

    private sealed record Found(string Value, string Type, double Confidence, int Start, int End, int Line)
    {
        /// <summary>Read after a subtotal label: the sum before discounts, shipping and the like, so the net only if nothing else is.</summary>
        public bool IsSubtotal { get; init; }

        public bool HasSource => Start >= 0;

        public decimal Amount => Parse(Value);

        public ExtractedField ToField(ExtractedText text) =>
            new(Value, Type, Math.Round(Math.Clamp(Confidence, 0.01, 1), 2), HasSource ? text.SourceOf(Start, End) : null);
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    // Compiled: these run over every line of every invoice; interpreted they dominated a 100-page PDF's time.
    private static Label L(string pattern, double confidence) => new(new Regex(pattern.Replace("'", "['’]"), Options | RegexOptions.Compiled), confidence);

    private static readonly Label[] InvoiceNumberLabels =
    [
        L(@"\b(?:invoice|inv|bill)\s*(?:no\b\.?|number|num\b\.?|nr\b\.?|#|id\b)", 0.9),
        L(@"\brechnungs-?(?:nummer|nr\b\.?)|\brechnung\s*(?:nr\b\.?|nummer|#)|\brechnungskorrektur\s*(?:nr\b\.?|nummer)", 0.9),
        L(@"\b(?:n°|no\b\.?|numéro)\s*(?:de\s*)?facture\b|\bfacture\s*(?:n°|no\b\.?|numéro|#)", 0.9),
        L(@"\bcredit\s*(?:note|memo)\s*(?:no\b\.?|number|#|nr\b\.?)|\bgutschrifts?-?\s*(?:nummer|nr\b\.?)|\bavoir\s*(?:n°|no\b\.?|numéro)|\b(?:n°|numéro)\s*d'avoir\b", 0.9),
        // Dutch, Spanish, Italian, Portuguese, Polish, the Nordic languages and Finnish: "Factuurnummer", "Factura n.º",
        // "N. fattura", "Número da fatura", "Nr faktury", "Fakturanr.", "Laskun numero".
        L(@"\bfactuur-?\s*(?:nummer|nr\b\.?|no\b\.?|#)|\b(?:n\.?\s?[º°]|no\b\.?|n\b\.?|nr\b\.?|núm\b\.?|número|numero)\s*(?:de\s*(?:la\s*)?|da\s*|do\s*|della\s*)?(?:factura|fattura|fatura|factuur)\b"
            + @"|\b(?:factura|fattura|fatura)\s*(?:n\.?\s?[º°]|no\b\.?|n\b\.?|nr\b\.?|núm\b\.?|número|numero|#)|\b(?:numer|nr\b\.?)\s*faktury\b|\bfaktur[ay]\s*(?:vat\s*)?(?:nr\b\.?|numer\b|no\b\.?)"
            + @"|\bfaktura-?\s*(?:nummer|nr\b\.?|no\b\.?)|\blasku(?:n)?\s*(?:numero|nro\b\.?|nr\b\.?)", 0.9),
        L(@"\b(?:creditnota|creditfactuur|kreditnota|kreditfaktura|hyvityslasku|nota\s*de\s*crédito|nota\s*di\s*credito|faktura\s*korygująca|factura\s*rectificativa)\s*"
            + @"(?:n\.?\s?[º°]|no\b\.?|n\b\.?|nr\b\.?|nummer|numer\b|número|numero|nro\b\.?|#)", 0.9),
        L(@"\b(?:receipt|transaction|trans\.?|order)\s*(?:no\b\.?|number|#|nr\b\.?)|\b(?:beleg|bon|kassenbon|quittungs?)-?\s*(?:nr\b\.?|nummer)|\b(?:bon|ticket|reçu|quittance)\s*(?:n°|no\b\.?)|\bn°\s*(?:de\s*)?(?:ticket|reçu)\b"
            + @"|\b(?:kassa)?bon-?\s*nummer|\b(?:ticket|scontrino|recibo|ricevuta|talão|kvitto|kvittering|kuitti)-?\s*(?:n\.?\s?[º°]|no\b\.?|n\b\.?|nr\b\.?|nummer|número|numero|nro\b\.?)|\bnr\s*paragonu\b|\bparagon\s*(?:fiskalny\s*)?nr\b\.?|\bkuitin\s*numero\b", 0.85),
        L(@"^[\w\[\]. ]*\b(?:number|numero|numéro|nummer|número|numer|nro)\s*:", 0.6),
        // A till receipt's number right after its name: "Beleg 93178", "Receipt 0042".
        L(@"^\W*(?:beleg|bon|receipt|ticket|quittung|reçu)(?=\s+#?\d)", 0.6),
        // The document's name followed by a reference: "# Invoice PP-2024-675", "Rechnung HÜ-2023-456".
        L(@"^[#*\s]*(?:tax\s+)?(?:invoice|rechnung|facture|credit\s+note|gutschrift|avoir|factuur|factura|fattura|fatura|faktura(?:\s+vat)?|lasku|creditnota|kreditnota|factura\s+(?:de\s+abono|rectificativa)|nota\s+d[ei]\s+cr[ée]dito|faktura\s+korygująca|hyvityslasku)\b(?=\s+\S*\d)", 0.6),
    ];

    /// <summary>A number introduced as another document's ("Zu Rechnung Nr.", "refers to invoice") is not this one's.</summary>
    [GeneratedRegex(@"(?:\bzu|\bto|\bauf|\bagainst|\boriginal|\bref(?:erence)?|\bbezug|\bcorrects?|\bfor|\bstorno|\bd'origine|\bde\s+la|\bihre?|\bdo|\bvan|\bbij|\bop|\bsulla|\bcorrige|\brectifica|\bkorygowanej|\bavser|\bvedr(?:ørende|\.)?|\bkoskien)\s*[:.]?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ReferencePrefix();

    private static readonly Label[] DateLabels =
    [
        L(@"\binvoice\s*date\b|\bdate\s*of\s*(?:issue|invoice)\b|\bissue\s*date\b|\bissued(?:\s*on)?\b|\bdate\s*issued\b|\binvoice_date\b|\bcredit\s*note\s*date\b|\breceipt\s*date\b", 0.9),
        L(@"\brechnungsdatum\b|\bbelegdatum\b|\bausstellungsdatum\b|\bgutschriftsdatum\b|\bdate\s*de\s*(?:la\s*)?facture\b|\bdate\s*d?'?[ée]mission\b|\bdate\s*de\s*l'avoir\b", 0.9),
        L(@"\bfactuur-?\s*datum\b|\bdatum\s*factuur\b|\bfecha\s*(?:de\s*(?:la\s*)?)?(?:factura|emisión|expedición)\b|\bdata\s*(?:della\s*|da\s*)?(?:fattura|fatura|faktury)\b"
            + @"|\bdata\s*(?:di|de)\s*emiss(?:ione|ão)\b|\bdata\s*wystawienia\b|\bfaktura-?\s*(?:datum|dato)\b|\bfaktureringsdatum\b|\blaskun?\s*(?:päivämäärä|päiväys)\b|\blaskupäivä\b", 0.9),
        // The bare word for "date", unless it is another date's ("Fecha de vencimiento", "Data di scadenza", "Data sprzedaży").
        L(@"\bfecha\b(?!\s*(?:de\s*)?(?:vencimiento|entrega|pago|pedido|caducidad|valor|operación))|\bdata\b(?!\s*(?:di\s*|de\s*|do\s*)?(?:scadenza|vencimento|consegna|entrega|pagamento|ordine|płatności|zapłaty|dostawy|sprzedaży|wykonania|sheet|protection|processing))"
            + @"|\bdato\b|\bpäivämäärä\b|\bpvm\b", 0.7),
        L(@"(?<!due\s|delivery\s|order\s|service\s)\bdate\b(?!\s*(?:de\s*livraison|d'échéance|due|of\s*(?:delivery|service|supply)))|(?<!liefer|leistungs|bestell)\bdatum\b", 0.7),
        L(@"\bcreated(?:\s*(?:at|on))?\b", 0.6),
    ];

    private static readonly Label[] DueDateLabels =
    [
        L(@"\bdue\s*date\b|\bpayment\s*due\b|\bdue\s*(?:on|by)\b|\bdue_date\b|\bdate\s*due\b", 0.9),
        L(@"\bf(?:ä|ae)llig(?:keit(?:sdatum)?|\s*am|\s*bis)?\b|\bzahlbar\s*bis\b|\bzahlungsziel\b|\bdate\s*d'échéance\b|\béchéance\b|\bà\s*payer\s*avant\s*le\b", 0.9),
        L(@"\bverval-?\s*(?:datum|dag)\b|\buiterste\s*betaal-?\s*datum\b|\bfecha\s*(?:de\s*)?vencimiento\b|\bvencimiento\b|\bfecha\s*límite\s*de\s*pago\b|\bdata\s*(?:di\s*)?scadenza\b|\bscadenza\b"
            + @"|\bdata\s*(?:de\s*)?vencimento\b|\bvencimento\b|\bdata\s*limite\s*(?:de\s*)?pagamento\b|\btermin\s*(?:płatności|zapłaty)\b|\bpłatne\s*do\b|\bförfallo-?\s*(?:datum|dag)\b|\bforfalds-?\s*(?:dato|dag)\b"
            + @"|\bforfalls-?\s*(?:dato|dag)\b|\beräpäivä\b", 0.9),
        L(@"\bte\s*betalen\s*(?:vóór|voor)\b|\bbetalen\s*(?:vóór|voor)\b|\bpagar\s*antes\s*de[l]?\b|\bda\s*pagare\s*entro\b|\bzapłata\s*do\b|\b(?:att\s*)?betala[s]?\s*senast\b|\bbetales\s*(?:senest|innen)\b|\bmaksettava\s*viimeistään\b", 0.6),
        L(@"\b(?:please\s*)?pay\s*by\b|\bpayable\s*by\b|\bà\s*régler\s*avant\s*le\b|\bà\s*régler\s*au\s*plus\s*tard\s*le\b|\bbis\s*zum\b", 0.6),
    ];

    private static readonly Label[] TotalLabels =
    [
        L(@"\bgrand\s*total\b|\btotal\s*ttc\b|\bmontant\s*ttc\b|\bgesamtbetrag\b|\brechnungsbetrag\b(?!\s*\(?\s*netto)|\brechnungsendbetrag\b|\bendbetrag\b|\bgutschriftsbetrag\b|\bgesamtsumme\b|\bbruttobetrag\b", 0.9),
        L(@"\binvoice\s*total\b|\btotal\s*(?:amount|due|credit|incl\.?|including)\b|\btotal\s*(?:sales\s*)?\(?\s*(?:incl\.?|inclusive|including|with)\b(?!\s*(?:of\s*)?[\d.]+\s*%?\s*(?:gst|vat|tax|sst)\s*$)|\btotal\s*rounded\b|\brounded\s*total\b|\bnett?\s*total\b|\btotal\s*(?:amt\.?\s*|amount\s*)?payable\b|\bamount\s*total\b|\btotal\s*(?:invoice\s*)?value\b|\btotal\s*à\s*payer\b|\bmontant\s*total\b(?!\s*ht)", 0.9),
        L(@"\btotaal\s*(?:te\s*betalen|incl\.?|inclusief|factuur)\b|\btotaalbedrag\b|\bimporte\s*total\b|\btotal\s*(?:factura|a\s*pagar|con\s*iva|(?:da\s*)?fatura|documento)\b|\btotale\s*(?:fattura|documento|da\s*pagare|ivato)\b|\bimporto\s*totale\b"
            + @"|\bvalor\s*total\b|\b(?:razem|kwota|suma)\s*do\s*zapłaty\b|\bwartość\s*brutto\b|\b(?:razem|suma)\s*brutto\b|\bsumma\s*att\s*betala\b|\btotal(?:belopp|beløb|beløp|sum)\b|\b(?:summa|total|totalt|sum)\s*(?:inkl\.?|inklusive)\s*(?:moms|mva)\b"
            + @"|\bi\s*alt\s*inkl\.?\s*moms\b|\btotalt\s*å\s*betale\b|\bverollinen\s*yhteensä\b|\byhteensä\s*(?:sis\.?|sisältäen)\s*alv\b|\bloppusumma\b", 0.9),
        L(@"(?<!(?:sub|tax|gst|vat|sst)-?\s?)\btotal\b(?!\s*[(\[]?\s*(?:ht|net|excl|exkl|ekskl|eks\b|hors|before|vor|qty|quantity|vat|tax|tva|mwst|gst|sst|iva|btw|moms|mva|items?|paid|hours?|sin|sem|senza|discount|disc\b|savings?|includes\b|rounding|round|tendered|cash|change|pcs|units?|weight|sales\s*\(?\s*excl|(?:amount\s*)?(?:excl|exclusive|excluding|before)))|\bsumme\b(?!\s*netto)|\bbrutto\b|(?<!zwischen)\bgesamt\b(?!\s*(?:netto|menge|stunden))"
            + @"|(?<!sub)\btotaal\b(?!\s*(?:excl|exclusief|btw|korting))|\btotale\b(?!\s*(?:imponibile|iva|netto|parziale|sconto))|\brazem\b(?!\s*(?:netto|vat|podatek))|\bsumma\b(?!\s*(?:exkl|netto|moms))|\btotalt\b(?!\s*(?:eks|ekskl|exkl|netto|moms|mva))"
            + @"|\bi\s*alt\b(?!\s*(?:ekskl|excl|uden|eks))|(?<!veroton\s*|alv\s*|arvonlisävero\s*)\byhteensä\b(?!\s*(?:veroton|ilman|alv\b))|\bnett\s*total\b", 0.8),
        // What is left to pay can be less than the total (a deposit paid), so it only counts when no total is written.
        L(@"\bamount\s*due\b|\bbalance\s*due\b|\bnet\s*à\s*payer\b|\breste\s*à\s*payer\b|\bzu\s*zahlen\b|\bzahlbetrag\b|\bamount\s*payable\b|\bto\s*pay\b"
            + @"|\bte\s*betalen\b(?!\s*(?:vóór|voor|binnen))|\b(?:total\s*|importe\s*|valor\s*)?a\s*pagar\b|\bda\s*pagare\b(?!\s*entro)|\bdo\s*zapłaty\b|\batt\s*betala\b(?!\s*senast)|\bat\s*betale\b|\bå\s*betale\b|\bmaksettava(?:a)?\b(?!\s*viimeistään)", 0.7),
    ];

    private static readonly Label[] NetLabels =
    [
        L(@"\bnet\s*(?:amount|total|value)\b|\btotal\s*net\b|\btotal\s*(?:excl\.?|excluding|before|net\s*of)\s*(?:vat|tax)\b|\btaxable\s*(?:amount|value)\b|\bamount\s*before\s*tax\b", 0.85),
        L(@"\bnettobetrag\b|\brechnungsbetrag\s*\(?\s*netto\b|(?<!\d\s*(?:dagar|dage|dager|dagen|days|tage|päivää|dni|días|dias|giorni)\s*)\bnetto(?:summe|betrag)?\b|\bsumme\s*netto\b|\bgesamt\s*netto\b|\btotal\s*ht\b|\bmontant\s*(?:total\s*)?ht\b|\bbase\s*ht\b", 0.85),
        L(@"\b(?:totaal|bedrag|subtotaal)\s*(?:excl\.?|exclusief)\s*btw\b|\bnetto\s*bedrag\b|\bbase\s*imponible\b|\btotal\s*(?:sin|sem)\s*iva\b|\bimporte\s*neto\b|\b(?:totale\s*)?imponibile\b|\btotale\s*netto\b"
            + @"|\bbase\s*tributável\b|\bvalor\s*(?:sem\s*iva|líquido|tributável)\b|\btotal\s*ilíquido\b|\bincidência\b|\b(?:wartość|razem|suma|kwota)\s*netto\b|\bnetto-?\s*(?:belopp|beløb|beløp)\b"
            + @"|\b(?:summa|belopp|beløb|beløp|total|totalt|sum|i\s*alt)\s*(?:exkl\.?|ekskl\.?|eks\.?|exklusive|eksklusive|uden|utan)\s*(?:moms|mva)\b|\bveroton\s*(?:yhteensä|hinta|summa)?\b|\byhteensä\s*ilman\s*alv\b|\bsubtotal\s*excl\.?\s*(?:btw|iva|gst)\b", 0.85),
        L(@"^\W*net\b(?!\s*(?:à|a)\s*payer)(?!\s*\d+\s*(?:days|tage|jours))(?!\s*total)", 0.8),
        // A subtotal comes before discounts and shipping; it is the net only when nothing else is.
        L(@"\bsub-?\s*total\b|\bzwischensumme\b|\bsous-?\s*total\b|\bsubtotaal\b|\bsubtotale\b|\bsuma\s*częściowa\b|\bdelsumma\b|\bdelsum\b|\bmellemsum\b|\bvälisumma\b", 0.75),
    ];

    private static readonly Label[] TaxLabels =
    [
        L(@"\b(?:vat|sales\s*tax|tax|mwst|ust|tva|[cs]?gst|igst|hst|pst|qst|sst|service\s*tax|umsatzsteuer|mehrwertsteuer|consumption\s*tax|btw|iva|moms|mva|alv|ptu|skatt|impuesto|imposta|imposto|podatek|arvonlisävero|vero|merverdiavgift|mervärdesskatt)\b"
            + @"(?![\s.-]*(?:reg|id\b|idnr|no\b|nr\b|number|nummer|numer|número|identification|invoice|intracom|exempt|rate\b|nip\b|cvr|registr|code|incluido|incluida|inclusa|incluído|inbegrepen))", 0.85),
    ];

    private static readonly Label[] CurrencyLabels =
    [
        L(@"\b(?:currency|währung|devise|valuta|moneda|moeda|waluta|valuutta)\b", 0.95),
    ];

    private static readonly Label[] IssuerLabels =
    [
        L(@"^(?:[\w\[\]. ]*\.)?(?:seller|supplier|vendor|issuer|lieferant|verkäufer|fournisseur|vendeur|[ée]metteur)\.(?:name|nom|company|firma|raison sociale)\s*:", 0.9),
        L(@"^\W*(?:from|vendor|supplier|seller|issuer|issued\s*by|sold\s*by|lieferant|verkäufer|rechnungssteller|fournisseur|vendeur|[ée]metteur|account name|supplier name|vendor name|company name"
            + @"|leverancier|verkoper|proveedor|vendedor|emisor|fornitore|cedente|prestatore|fornecedor|sprzedawca|wystawca|leverantör|säljare|leverandør|sælger|selger|myyjä|laskuttaja)\b", 0.85),
        // Words that are also surnames or prepositions ("van", "de", "da") only as a label with its colon.
        L(@"^\W*(?:van|de|da|fra|från|od|lähettäjä)\s*:", 0.8),
    ];

    /// <summary>Wording of a document that charges no tax: small businesses, exports, reverse charge.</summary>
    [GeneratedRegex(@"\b(?:btw\s+verlegd|vrijgesteld\s+van\s+btw|exento\s+de\s+iva|inversión\s+del\s+sujeto\s+pasivo|esente\s+iva|operazione\s+esente|inversione\s+contabile|isento\s+de\s+iva|iva\s+autoliquidação|autoliquidação|zwolnion[ey]\s+z\s+vat|odwrotne\s+obciążenie|omvänd\s+skattskyldighet|momsfri|omvendt\s+betalingspligt|fritatt\s+for\s+mva|ikke\s+mva-?pliktig|käännetty\s+verovelvollisuus|no\s+vat\s+(?:is\s+)?charged|vat\s+exempt|exempt\s+from\s+vat|not\s+subject\s+to\s+vat|zero[-\s]rated|(?:§|paragraph)\s*19\s*ustg|keine\s+umsatzsteuer|ohne\s+(?:umsatzsteuer|mwst)|umsatzsteuerfrei|steuerfrei|tva\s+non\s+applicable|exon[ée]r[ée]e?\s+de\s+tva|sans\s+tva|franchise\s+en\s+base\s+de\s+tva|art(?:icle|\.)?\s*293\s*b|reverse\s+charge|steuerschuldnerschaft\s+des\s+leistungsempfängers|autoliquidation)", RegexOptions.IgnoreCase)]
    private static partial Regex NoTaxCharged();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-/_.#]*")]
    private static partial Regex ReferenceToken();

    /// <param name="vendors">What reviewers taught about earlier documents of the same vendor, applied over what the rules read.</param>
    /// <param name="model">The learned scorer that chooses among the candidates; <see cref="FieldModel.Shipped"/> when not given, <see cref="FieldModel.RulesOnly"/> for the rules alone.</param>
    public static ExtractedFields Extract(ExtractedText text, string category, FileKind kind = FileKind.Text, VendorMemory? vendors = null,
        FieldModel? model = null)
    {
        var (document, lines) = Prepare(text, kind);
        var content = document.Content;
        var warnings = new List<string>();
        var values = new Dictionary<string, Found>();
        model ??= FieldModel.Shipped ?? FieldModel.RulesOnly;

        List<LineItem> items;
        var table = kind == FileKind.Csv ? TabularInvoice.Read(content, lines, warnings) : null;
        var tabular = table is not null;
        if (table is { } rows)
        {
            foreach (var (name, found) in rows.Values) values[name] = found;
            items = rows.Items;
        }
        else
        {
            FindLabelledValues(document, values);
            if (IsRanked(kind) && model.Fields.Count > 0) Rank(document, text, values, model);
            items = InvoiceTables.ReadLineItems(content, lines);
        }

        if (vendors?.Recall(content, values.GetValueOrDefault(FieldNames.Issuer)?.Value) is { } vendor)
            ApplyLessons(document, values, vendor);
        if (!tabular) ApplyCashRounding(document, values);
        if (!tabular) Reconcile(document, values);

        if (category == Categories.CreditNote) MakeNegative(values);
        Check(values, items, category, warnings);

        var fields = new Dictionary<string, ExtractedField>();
        foreach (var name in FieldNames.All)
            if (values.TryGetValue(name, out var found))
            {
                var field = found.ToField(text);
                fields[name] = IsRanked(kind) && model.RuleCalibrations.TryGetValue(name, out var calibration)
                    ? field with { Confidence = Math.Round(calibration.Probability(field.Confidence), 2) }
                    : field;
            }

        return new ExtractedFields(fields, items, warnings);
    }

    private static (Document Document, List<TextLine> AllLines) Prepare(ExtractedText text, FileKind kind)
    {
        var content = text.Method.Contains("ocr", StringComparison.OrdinalIgnoreCase) ? Amounts.RepairOcr(text.Content) : text.Content;
        var lines = TextLine.Split(content);
        // Labels also match JSON and CSV keys ("total_ttc", "invoice_date"); the copy keeps every offset.
        var search = content.Replace('_', ' ');
        var read = LabelledPart(content, lines);
        return (new Document(content, search, read, Ranges(content, read), kind == FileKind.Json ? KeysOnly(search, lines) : search, kind == FileKind.Json), lines);
    }

    /// <summary>A long document's labelled values are looked for in its first this many characters ...</summary>
    public const int HeadCharacters = 24_000;

    /// <summary>... and its last this many: what lies between is line items (read in full all the same).</summary>
    public const int TailCharacters = 12_000;

    /// <summary>
    /// The lines labels are matched in: every line of a text up to <see cref="HeadCharacters"/> +
    /// <see cref="TailCharacters"/> long, else the lines of its head (number, dates, parties) and its
    /// tail (totals, tax, payment terms). Bounded so a 100-page statement costs what a 7-page one does:
    /// each label is a regular expression tried on every line it is given.
    /// </summary>
    private static List<TextLine> LabelledPart(string content, List<TextLine> lines)
    {
        if (content.Length <= HeadCharacters + TailCharacters) return lines;
        var tailStart = content.Length - TailCharacters;
        return lines.FindAll(line => line.Start < HeadCharacters || line.End > tailStart);
    }

    /// <summary>The stretches of text the lines cover: the whole text, or its head and its tail.</summary>
    private static (int Start, int End)[] Ranges(string content, List<TextLine> read)
    {
        for (var i = 1; i < read.Count; i++)
            if (read[i].Start != read[i - 1].End + 1)
                return [(0, read[i - 1].End), (read[i].Start, content.Length)];
        return [(0, content.Length)];
    }

    /// <summary>Confidence of a value read where a reviewer showed it sits on this vendor's documents.</summary>
    public const double LearnedConfidence = 0.9;

    /// <summary>Confidence of a vendor's name as reviewers finalised it, recognised by its registration numbers or name.</summary>
    public const double LearnedIssuerConfidence = 0.95;

    /// <summary>
    /// The vendor's lessons: its proper name; a field cleared by the reviewer stays empty; a field the
    /// reviewer found after some label is read after that label here too (when it is there).
    /// </summary>
    private static void ApplyLessons(Document doc, Dictionary<string, Found> values, VendorProfile vendor)
    {
        var at = doc.Content.IndexOf(vendor.Name, StringComparison.OrdinalIgnoreCase);
        values[FieldNames.Issuer] = at >= 0
            ? new Found(vendor.Name, "text", LearnedIssuerConfidence, at, at + vendor.Name.Length, -1)
            : new Found(vendor.Name, "text", LearnedIssuerConfidence, -1, -1, -1);

        var monthFirstDefault = MonthFirst(values);
        foreach (var (field, lesson) in vendor.Lessons)
        {
            if (lesson.Absent)
            {
                values.Remove(field);
                continue;
            }

            if (lesson.Label is null) continue;
            var label = new Label(new Regex(@"(?<![\p{L}\p{N}])" + string.Join(@"\s+", lesson.Label.Split(' ').Select(Regex.Escape)), Options), LearnedConfidence);
            var monthFirst = lesson.MonthFirst ?? monthFirstDefault;
            ValueReader? read = field switch
            {
                FieldNames.InvoiceNumber => ReadReference,
                FieldNames.Date or FieldNames.DueDate => (c, s, e) => ReadDate(c, s, e, monthFirst),
                FieldNames.Net or FieldNames.Tax or FieldNames.Total => doc.Json ? ReadJsonAmount : ReadAmount,
                FieldNames.Currency => ReadCurrency,
                _ => null,
            };
            if (read is not null && Best(doc.Search, doc.Content, doc.Lines, [label], read, preferLast: false) is { } found)
            {
                if (field != FieldNames.Currency) values[field] = found;
                else if (WhichKroner(doc.Content, found) is { } currency) values[field] = currency;
            }
        }
    }

    /// <param name="Lines">The lines labels are looked for in (<see cref="LabelledPart"/>); found values' line numbers count these.</param>
    /// <param name="KeySearch">What amount, date and number labels are matched in: for JSON only each line's last key, so that
    /// "tax_rate.percentage: 10.25" is not read as a tax.</param>
    /// <param name="Json">Rendered JSON ("path: value" lines), where a labelled value is the whole rest of its line.</param>
    /// <param name="Ranges">Where <paramref name="Lines"/> lie; what is looked for outside labels (a first date, currency marks) is looked for there too.</param>
    private sealed record Document(string Content, string Search, List<TextLine> Lines, (int Start, int End)[] Ranges, string KeySearch, bool Json)
    {
        /// <summary>Labels wrapped onto two lines (<see cref="FindWrappedLabels"/>); none in JSON, whose labels are keys.</summary>
        public List<WrappedLabel> Wrapped { get; } = Json ? [] : FindWrappedLabels(Content, Lines);
    }

    /// <summary>
    /// Blanks every JSON path but its last two keys ("invoice.lines[0].amount" becomes "lines[0].amount"),
    /// keeping offsets: the parent says what a generic key ("amount", "Betrag") is the amount of.
    /// </summary>
    private static string KeysOnly(string search, List<TextLine> lines)
    {
        var chars = search.ToCharArray();
        foreach (var line in lines)
        {
            var colon = search.IndexOf(": ", line.Start, line.End - line.Start, StringComparison.Ordinal);
            if (colon <= line.Start) continue;
            var lastDot = search.LastIndexOf('.', colon - 1, colon - line.Start);
            var parentDot = lastDot > line.Start ? search.LastIndexOf('.', lastDot - 1, lastDot - line.Start) : -1;
            for (var i = line.Start; i <= parentDot; i++) chars[i] = ' ';
        }

        return new string(chars);
    }

    private static void FindLabelledValues(Document doc, Dictionary<string, Found> values)
    {
        var (content, search, lines) = (doc.Content, doc.KeySearch, doc.Lines);
        Put(values, FieldNames.InvoiceNumber, FindInvoiceNumber(doc));
        ValueReader amount = doc.Json ? ReadJsonAmount : ReadAmount;
        // A tax summary's own "Total" row (net and tax per rate) closes many receipts; it is not the document's total.
        var summary = TaxSummaryStart(search, doc.Ranges);
        var total = (summary < 0 ? null : Best(search, content, lines, TotalLabels, amount, preferLast: true, accept: (lineStart, _) => lineStart < summary))
            ?? Best(search, content, lines, TotalLabels, amount, preferLast: true);
        Put(values, FieldNames.Total, total);
        Put(values, FieldNames.Net, Best(search, content, lines, NetLabels, amount, preferLast: true, subtotalBelow: 0.8));
        Put(values, Subtotal, Best(search, content, lines, NetLabels[^1..], amount, preferLast: false));
        Put(values, FieldNames.Tax, FindTax(doc, amount, values));

        var currency = Best(doc.Search, content, lines, CurrencyLabels, ReadCurrency, preferLast: false)
            ?? (total is null ? null : CurrencyOnLine(content, lines[total.Line], 0.9))
            ?? MostFrequentCurrency(content, doc.Ranges);
        currency = WhichKroner(content, currency);
        Put(values, FieldNames.Currency, currency);

        var monthFirst = MonthFirst(values);
        ValueReader date = doc.Json ? (c, s, e) => ReadEpochDate(c, s, e) ?? ReadDate(c, s, e, monthFirst) : (c, s, e) => ReadDate(c, s, e, monthFirst);
        var issued = Best(search, content, lines, DateLabels, date, preferLast: false, wrapped: doc.Wrapped);
        var due = Best(search, content, lines, DueDateLabels, date, preferLast: false, wrapped: doc.Wrapped);
        if (issued is not null && due is not null && issued.Start == due.Start) issued = null;
        issued ??= FirstUnlabelledDate(content, doc.Ranges, due, monthFirst);
        Put(values, FieldNames.Date, issued);
        Put(values, FieldNames.DueDate, due);
        Put(values, FieldNames.Issuer, FindIssuer(doc));
    }

    /// <summary>
    /// Tills that round to the coin print the exact total, then a rounding line, then what was paid
    /// ("TOTAL 60.31 / ROUNDING ADJ -0.01 / 60.30"): the total is the rounded one. It is taken when it is printed
    /// below the rounding line, or when the rounding carries its sign; a rounding line above the total is already in it.
    /// </summary>
    private static void ApplyCashRounding(Document doc, Dictionary<string, Found> values)
    {
        if (!values.TryGetValue(FieldNames.Total, out var total) || !total.HasSource || total.Line < 0) return;
        var lines = doc.Lines;
        for (var i = total.Line + 1; i < lines.Count && i <= total.Line + 3; i++)
        {
            var line = lines[i];
            if (!CashRounding().IsMatch(doc.Search.AsSpan(line.Start, line.End - line.Start))) continue;
            if (ReadAmount(doc.Content, line.Start, line.End) is not { } adjustment || adjustment.Amount == 0 || Math.Abs(adjustment.Amount) >= 1) return;

            var magnitude = Math.Abs(adjustment.Amount);
            for (var j = i + 1; j < lines.Count && j <= i + 3; j++)
            {
                if (PaymentLine().IsMatch(doc.Search.AsSpan(lines[j].Start, lines[j].End - lines[j].Start)) && !CashRounding().IsMatch(doc.Search.AsSpan(lines[j].Start, lines[j].End - lines[j].Start)))
                    break;
                if (ReadAmount(doc.Content, lines[j].Start, lines[j].End) is { } paid
                    && (Math.Abs(paid.Amount - (total.Amount - magnitude)) < Tolerance / 2 || Math.Abs(paid.Amount - (total.Amount + magnitude)) < Tolerance / 2))
                {
                    values[FieldNames.Total] = paid with { Confidence = total.Confidence, Line = j };
                    return;
                }
            }

            var before = doc.Content.AsSpan(line.Start, adjustment.Start - line.Start).TrimEnd();
            var negative = adjustment.Amount < 0 || (before.Length > 0 && before[^1] == '(');
            var positive = before.Length > 0 && before[^1] == '+';
            if (negative || positive)
                values[FieldNames.Total] = new Found(Amounts.Format(total.Amount + (negative ? -magnitude : magnitude)), "amount", total.Confidence * 0.9, -1, -1, total.Line);
            return;
        }
    }

    [GeneratedRegex(@"^\W*(?:rounding|round(?:ing)?[\s-]*(?:adj(?:ustment)?|off)|rounded|öresavrundning|avrundning|afrunding|øreafrunding|avrunding|pyöristys|arrondi|redondeo|arrotondamento|arredondamento|zaokrąglenie|rundung|afronding)\b", RegexOptions.IgnoreCase)]
    private static partial Regex CashRounding();

    /// <summary>Where a table of tax per rate begins ("GST SUMMARY", "VAT analysis", "MwSt-Übersicht"), or -1.</summary>
    private static int TaxSummaryStart(string search, (int Start, int End)[] ranges)
    {
        foreach (var (start, end) in ranges)
            if (TaxSummaryHeading().Match(search, start, end - start) is { Success: true } match)
                return match.Index;
        return -1;
    }

    [GeneratedRegex(@"^\W*(?:gst|vat|tax|sst|mwst|ust|tva|btw|iva|moms|mva|alv)[\s-]*(?:summary|analysis|breakdown|übersicht|récapitulatif|overzicht|resumen|riepilogo|resumo|podsumowanie|specifikation|spesifikasjon|erittely)\b", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex TaxSummaryHeading();

    private static void Put(Dictionary<string, Found> values, string name, Found? found)
    {
        if (found is not null) values[name] = found;
    }

    private delegate Found? ValueReader(string content, int start, int end);

    /// <summary>
    /// The value after the best label: the most specific label wins, and among equals the first
    /// (or, for totals, the last: a running "Total" is followed by the final one). A label alone on
    /// its line takes its value from the next line. Labels below <paramref name="subtotalBelow"/> mark subtotals.
    /// </summary>
    private static Found? Best(string search, string content, List<TextLine> lines, Label[] labels, ValueReader read, bool preferLast,
        double subtotalBelow = 0, Func<int, int, bool>? accept = null, List<WrappedLabel>? wrapped = null)
    {
        Found? best = null;
        var pending = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var wrappedAt = -1;
            for (; wrapped is not null && pending < wrapped.Count && wrapped[pending].Line <= i; pending++)
            {
                var w = wrapped[pending];
                if (w.Line < i) continue;
                foreach (var label in labels)
                {
                    if (best is not null && (label.Confidence < best.Confidence || (label.Confidence == best.Confidence && !preferLast)))
                        continue;
                    // The label must start where the cell does and need its second line: "Fecha de" alone is not "Fecha de vencimiento".
                    var match = label.Pattern.Match(w.Text);
                    if (!match.Success || match.Index != 0 || match.Length <= w.FirstPart || (accept is not null && !accept(line.Start, w.LabelStart))) continue;
                    wrappedAt = w.LabelStart;
                    if (read(content, w.ValueStart, w.ValueEnd) is not { } found) continue;
                    best = found with { Confidence = label.Confidence, Line = i, IsSubtotal = label.Confidence < subtotalBelow };
                    break;
                }
            }

            foreach (var label in labels)
            {
                if (best is not null && (label.Confidence < best.Confidence || (label.Confidence == best.Confidence && !preferLast)))
                    continue;
                var match = label.Pattern.Match(search, line.Start, line.End - line.Start);
                if (!match.Success || match.Index == wrappedAt || (accept is not null && !accept(line.Start, match.Index))) continue;

                var found = read(content, match.Index + match.Length, ValueEnd(content, match.Index + match.Length, line.End));
                if (found is null && IsBlankAfterSeparators(content, match.Index + match.Length, line.End) && NextNonBlank(content, lines, i) is { } next
                    && !PaymentLine().IsMatch(search.AsSpan(lines[next].Start, lines[next].End - lines[next].Start)))
                    found = read(content, lines[next].Start, lines[next].End) is { } below ? below with { Line = next } : null;
                if (found is null) continue;
                best = found with { Confidence = label.Confidence, Line = found.Line < 0 ? i : found.Line, IsSubtotal = label.Confidence < subtotalBelow };
                break;
            }
        }

        return best;
    }

    /// <summary>
    /// A label wrapped onto two lines in a narrow column of labels: "Fecha de   9/7/2025" above "vencimiento",
    /// "Numer   R2025-0080" above "faktury". <see cref="Text"/> is the label as one line, of which the first line
    /// holds <see cref="FirstPart"/> characters; its value is read on the first line.
    /// </summary>
    private sealed record WrappedLabel(int Line, int LabelStart, string Text, int FirstPart, int ValueStart, int ValueEnd);

    /// <summary>
    /// Every place where a line's cell could be the end of a label begun right above it: a lower-case word or two,
    /// alone in its column, under the words of a cell that a wide gap separates from its value. Ordered by line.
    /// </summary>
    private static List<WrappedLabel> FindWrappedLabels(string content, List<TextLine> lines)
    {
        var found = new List<WrappedLabel>();
        for (var i = 0; i + 1 < lines.Count; i++)
        {
            var (first, second) = (lines[i], lines[i + 1]);
            if (second.Start != first.End + 1 || first.End - first.Start < 4) continue;
            foreach (var (start, end) in Cells(content, second))
            {
                var rest = content.AsSpan(start, end - start);
                if (!char.IsLower(rest[0]) || rest.ContainsAnyInRange('0', '9') || rest.ContainsAny(':', '@') || rest.Count(' ') > 1) continue;
                var column = start - second.Start;
                foreach (var shift in (ReadOnlySpan<int>)[0, -1, 1, -2, 2])
                {
                    var at = first.Start + column + shift;
                    if (at < first.Start || at >= first.End || !char.IsLetter(content[at]) || (at > first.Start && content[at - 1] != ' ')) continue;
                    var gap = content.IndexOf("  ", at, first.End - at, StringComparison.Ordinal);
                    if (gap < 0) break;
                    var head = content.AsSpan(at, gap - at);
                    if (head.ContainsAnyInRange('0', '9') || head.Contains(':') || head.Count(' ') > 2) break;
                    found.Add(new WrappedLabel(i, at, string.Concat(head, " ", rest).Replace('_', ' '), head.Length, gap, ValueEnd(content, gap, first.End)));
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>The parts of a line between gaps of two blanks or more.</summary>
    private static List<(int Start, int End)> Cells(string content, TextLine line)
    {
        var cells = new List<(int Start, int End)>();
        var i = line.Start;
        while (i < line.End)
        {
            while (i < line.End && content[i] is ' ' or '\t') i++;
            if (i >= line.End) break;
            var start = i;
            while (i < line.End && !(content[i] == '\t' || (content[i] == ' ' && i + 1 < line.End && content[i + 1] == ' '))) i++;
            var end = i;
            while (end > start && content[end - 1] == ' ') end--;
            cells.Add((start, end));
        }

        return cells;
    }

    /// <summary>
    /// A till's payment lines: what was handed over, given back or rounded away. A label alone on its line ("TOTAL")
    /// does not take its value from one of these below it; the cash tendered is not the total.
    /// </summary>
    [GeneratedRegex(@"^\W*(?:cash|change|tendered|rounding|round(?:ing)?\s*adj|tunai|baki|paid|payment|card|credit\s*card|visa|mastercard|wechselgeld|gegeben|bar|rückgeld|rendu|espèces|monnaie|contant|wisselgeld|efectivo|cambio|contanti|resto|dinheiro|troco|gotówka|reszta|kontant|växel|byttepenge|veksel|käteinen|vaihtoraha)\b", RegexOptions.IgnoreCase)]
    private static partial Regex PaymentLine();

    /// <summary>
    /// Where a label's value ends: the end of the line, or, in a page laid out in two columns, the
    /// next wide gap after the value ("Invoice No.  A-1          Customer ID  C7").
    /// </summary>
    private static int ValueEnd(string content, int from, int lineEnd)
    {
        var i = from;
        while (i < lineEnd && content[i] is ' ' or '\t' or ':' or '.' or '|' or '*') i++;
        for (; i + 3 < lineEnd; i++)
            if (content[i] == ' ' && content[i + 1] == ' ' && content[i + 2] == ' ' && content[i + 3] == ' ' && HasLabelAfter(content, i, lineEnd))
                return i;
        return lineEnd;
    }

    /// <summary>A wide gap followed by words without digits (up to a colon or the next gap): the next column's label, not a currency and amount.</summary>
    private static bool HasLabelAfter(string content, int gap, int lineEnd)
    {
        var i = gap;
        while (i < lineEnd && content[i] == ' ') i++;
        if (i >= lineEnd || !char.IsLetter(content[i]) || Currencies.MarkAfter(content, i, lineEnd) is not null) return false;
        var end = content.IndexOf("  ", i, lineEnd - i, StringComparison.Ordinal) is var next and >= 0 ? next : lineEnd;
        var colon = content.IndexOf(':', i, end - i);
        var words = content.AsSpan(i, (colon >= 0 ? colon : end) - i);
        return !words.ContainsAnyInRange('0', '9');
    }

    private static bool IsBlankAfterSeparators(string content, int start, int end) =>
        !content.AsSpan(start, end - start).ContainsAnyExcept(" \t:*|#.");

    private static int? NextNonBlank(string content, List<TextLine> lines, int index)
    {
        // Only the lines right below: where the head of a long text ends, the next line given is the tail's first.
        for (var i = index + 1; i < lines.Count && i <= index + 2 && lines[i].Start == lines[i - 1].End + 1; i++)
            if (!content.AsSpan(lines[i].Start, lines[i].End - lines[i].Start).IsWhiteSpace()) return i;
        return null;
    }

    /// <summary>
    /// The document's own number. A number labelled as another document's ("Zu Rechnung Nr.", "Refers to
    /// invoice") is passed over, so a credit note gives its own number, not the invoice it corrects.
    /// </summary>
    private static Found? FindInvoiceNumber(Document doc) =>
        Best(doc.KeySearch, doc.Content, doc.Lines, InvoiceNumberLabels, ReadReference, preferLast: false,
            accept: (lineStart, labelIndex) => !ReferencePrefix().IsMatch(doc.Search.AsSpan(lineStart, labelIndex - lineStart).ToString()), wrapped: doc.Wrapped)
        ?? NumberUnderTitle(doc);

    /// <summary>
    /// A document's name alone in its cell with a reference right below it, in the same column ("Factuur" over
    /// "INV-000029"): the number, less sure than a labelled one. A date below the name is no number.
    /// </summary>
    private static Found? NumberUnderTitle(Document doc)
    {
        if (doc.Json) return null;
        var (content, lines) = (doc.Content, doc.Lines);
        for (var i = 0; i + 1 < lines.Count && lines[i].Start < HeadCharacters; i++)
        {
            if (lines[i + 1].Start != lines[i].End + 1) continue;
            foreach (var (start, end) in Cells(content, lines[i]))
            {
                var title = DocumentTitle().Match(content, start, end - start);
                if (!title.Success || title.Length != end - start) continue;
                var column = start - lines[i].Start;
                foreach (var (below, belowEnd) in Cells(content, lines[i + 1]))
                {
                    // Below it: starting under the name or just after it (a title in larger type ends further left than its text would).
                    var at = below - lines[i + 1].Start;
                    if (at < column - 3 || at > column + (end - start) + 3) continue;
                    if (Dates.Find(content, false, below, belowEnd).Any()) continue;
                    if (ReadReference(content, below, belowEnd) is { } number && number.End == belowEnd)
                        return number with { Confidence = 0.5, Line = i + 1 };
                }
            }
        }

        return null;
    }

    private static Found? ReadReference(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        var match = ReferenceToken().Match(content, from, end - from);
        if (!match.Success || match.Index != from || !match.ValueSpan.ContainsAnyInRange('0', '9')) return null;
        var length = match.Value.TrimEnd('.', '/', '-', '_').Length;
        return new Found(content.Substring(match.Index, length), "text", 0, match.Index, match.Index + length, -1);
    }

    /// <summary>The last sum of money on the line: where a row has quantity, price and amount, the amount is rightmost.</summary>
    private static Found? ReadAmount(string content, int start, int end)
    {
        AmountMatch? last = null;
        foreach (var amount in Amounts.FindMoney(content, start, end)) last = amount;
        return last is { } a ? new Found(Amounts.Format(a.Value), "amount", 0, a.Start, a.Start + a.Length, -1) : null;
    }

    /// <summary>In JSON the value after a key is the whole value, so a whole number is an amount too.</summary>
    private static Found? ReadJsonAmount(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        var numbers = Amounts.FindNumbers(content, from, end).ToList();
        if (numbers.Count != 1) return ReadAmount(content, start, end);
        var a = numbers[0];
        var negative = a.Start > from && content[a.Start - 1] == '-';
        var value = negative && a.Value > 0 ? -a.Value : a.Value;
        return new Found(Amounts.Format(value), "amount", 0, a.Start, a.Start + a.Length, -1);
    }

    private static Found? ReadDate(string content, int start, int end, bool monthFirst)
    {
        foreach (var date in Dates.Find(content, monthFirst, start, end))
            return new Found(Dates.Format(date.Value), "date", 0, date.Start, date.Start + date.Length, -1);
        return null;
    }

    /// <summary>Unix time, as API exports write dates: seconds (10 digits) or milliseconds (13), taken in UTC.</summary>
    private static Found? ReadEpochDate(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        var to = from;
        while (to < end && char.IsAsciiDigit(content[to])) to++;
        if (content.AsSpan(to, end - to).Trim().Length > 0 || to - from is not (10 or 13)) return null;
        var number = long.Parse(content.AsSpan(from, to - from), CultureInfo.InvariantCulture);
        var instant = to - from == 10 ? DateTimeOffset.FromUnixTimeSeconds(number) : DateTimeOffset.FromUnixTimeMilliseconds(number);
        return new Found(Dates.Format(DateOnly.FromDateTime(instant.UtcDateTime)), "date", 0, from, to, -1);
    }

    private static Found? ReadCurrency(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        var to = from;
        while (to < end && !char.IsWhiteSpace(content[to]) && content[to] != '|') to++;
        return Currencies.FromLabelledValue(content.AsSpan(from, to - from)) is { } iso
            ? new Found(iso, "currency", 0, from, Math.Min(to, from + 3), -1)
            : null;
    }

    private static int SkipSeparators(string content, int start, int end)
    {
        while (start < end && content[start] is ' ' or '\t' or ':' or '|' or '*' or '=' or '\u00A0' or '.' or '#') start++;
        return start;
    }

    /// <summary>
    /// Tax lines, skipping those that belong to a total ("Total incl. VAT") and registration numbers.
    /// Two VAT rates or CGST + SGST print two lines; their sum is the tax when it makes net + tax = total.
    /// </summary>
    private static Found? FindTax(Document doc, ValueReader read, Dictionary<string, Found> values)
    {
        var (search, content, lines) = (doc.KeySearch, doc.Content, doc.Lines);
        var candidates = new List<Found>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var match = TaxLabels[0].Pattern.Match(search, line.Start, line.End - line.Start);
            if (!match.Success || StartsTotalOrNet(search, line, match.Index)) continue;
            if (read(content, match.Index + match.Length, ValueEnd(content, match.Index + match.Length, line.End)) is { } found
                && candidates.All(c => c.Start != found.Start))
                candidates.Add(found with { Confidence = TaxLabels[0].Confidence, Line = i });
        }

        if (candidates.Count <= 1) return candidates.FirstOrDefault();

        var net = values.GetValueOrDefault(FieldNames.Net)?.Amount;
        var total = values.GetValueOrDefault(FieldNames.Total)?.Amount;
        if (net is { } netValue && total is { } totalValue)
        {
            foreach (var candidate in candidates)
                if (Math.Abs(netValue + candidate.Amount - totalValue) <= Tolerance) return candidate;
        }

        // Several rates print several lines; a table of rates may also repeat them in a summary line.
        var sum = candidates.Sum(c => c.Amount);
        if (net is { } n && total is { } t && Math.Abs(n + sum - t) > Tolerance)
            return candidates[^1];
        return new Found(Amounts.Format(sum), "amount", 0.75, -1, -1, candidates[^1].Line);
    }

    private static bool StartsTotalOrNet(string search, TextLine line, int labelIndex)
    {
        foreach (var label in TotalLabels.Concat(NetLabels))
            if (label.Pattern.Match(search, line.Start, line.End - line.Start) is { Success: true } m && m.Index < labelIndex)
                return true;
        return false;
    }

    /// <summary>"kr" becomes the crowns of the document's country, or no currency when it does not say which.</summary>
    private static Found? WhichKroner(string content, Found? currency) =>
        currency?.Value != Currencies.Kroner ? currency
            : Currencies.ResolveKroner(content) is { } iso ? currency with { Value = iso, Confidence = currency.Confidence * 0.9 }
            : null;

    private static Found? CurrencyOnLine(string content, TextLine line, double confidence) =>
        Currencies.FindMarks(content, line.Start, line.End).FirstOrDefault() is { Iso: not null } mark
            ? new Found(mark.Iso, "currency", confidence, mark.Start, mark.End, -1)
            : null;

    private static Found? MostFrequentCurrency(string content, (int Start, int End)[] ranges)
    {
        var counts = new Dictionary<string, (int Count, CurrencyMark First)>();
        foreach (var (start, end) in ranges)
        foreach (var mark in Currencies.FindMarks(content, start, end))
            counts[mark.Iso] = counts.TryGetValue(mark.Iso, out var seen) ? (seen.Count + 1, seen.First) : (1, mark);

        if (counts.Count == 0) return null;
        var (best, stats) = counts.MaxBy(c => c.Value.Count);
        return new Found(best, "currency", counts.Count == 1 ? 0.8 : 0.6, stats.First.Start, stats.First.End, -1);
    }

    /// <summary>A receipt's date stands alone; the due date repeated in a sentence ("please pay by ...") is not it.</summary>
    private static Found? FirstUnlabelledDate(string content, (int Start, int End)[] ranges, Found? due, bool monthFirst)
    {
        foreach (var (start, end) in ranges)
        foreach (var date in Dates.Find(content, monthFirst, start, end))
            if (due is null || Dates.Format(date.Value) != due.Value)
                return new Found(Dates.Format(date.Value), "date", 0.4, date.Start, date.Start + date.Length, -1);
        return null;
    }

    private static bool IsDocumentTitle(ReadOnlySpan<char> line) => DocumentTitle().IsMatch(line);

    [GeneratedRegex(@"^(?:tax\s+)?(?:invoice|rechnung|facture|credit\s+note|gutschrift|receipt|quittung|reçu|avoir|kassenbon|ticket|rechnungskorrektur|facture\s+d'avoir"
        + @"|factuur|factura|fattura|fatura|faktura|lasku|rachunek|creditnota|kreditnota|kreditfaktura|hyvityslasku|nota\s+de\s+crédito|nota\s+di\s+credito|kassabon|recibo|ricevuta|scontrino|paragon|kvitto|kvittering|kuitti|cash\s+bill|official\s+receipt)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DocumentTitle();

    /// <summary>Credit notes are stored negative (money flowing back), whether or not they print the sign.</summary>
    private static void MakeNegative(Dictionary<string, Found> values)
    {
        foreach (var name in (string[])[FieldNames.Net, FieldNames.Tax, FieldNames.Total])
            if (values.TryGetValue(name, out var found) && found.Amount > 0)
                values[name] = found with { Value = Amounts.Format(-found.Amount) };
    }

    private static decimal Parse(string invariant) => decimal.Parse(invariant, CultureInfo.InvariantCulture);
}
