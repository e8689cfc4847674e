using System.Globalization;
using System.Text;

namespace Docket.Core.Pipeline.Stages.Fields.Ranking;

/// <summary>What a printed label says a nearby value is. One value of each is a feature of every candidate.</summary>
public enum LabelKind
{
    Total,
    Net,
    Tax,
    Payment,
    Discount,
    Quantity,
    Date,
    DueDate,
    OtherDate,
    Number,
    OtherId,
    Buyer,
    Seller,
    Title,
    Contact,
}

/// <summary>
/// The words invoices and receipts print as labels, in the languages Docket reads (en, de, fr, nl, es,
/// it, pt, pl, sv, da, nb, fi, ms), grouped by what they label. They are the vocabulary of the trade,
/// not of any one vendor: the scorer learns how much each kind of label, where it stands, tells about
/// a value. Matched on <see cref="Normalise"/>d text, so "Fälligkeitsdatum", "FALLIGKEITSDATUM" and
/// "fälligkeits-datum" are one label; phrases are matched on word boundaries, compounds as words.
/// </summary>
public static class LabelLexicon
{
    private static readonly (LabelKind Kind, string[] Phrases)[] Entries =
    [
        (LabelKind.Total,
        [
            "total", "grand total", "total amount", "amount due", "balance due", "total due", "invoice total", "total payable",
            "amount payable", "total incl", "total including", "nett total", "net total rm", "total sales", "rounded total",
            "total rm", "total inclusive", "gesamtbetrag", "rechnungsbetrag", "endbetrag", "gesamtsumme", "summe", "brutto",
            "bruttobetrag", "zu zahlen", "zahlbetrag", "gesamt", "total ttc", "montant ttc", "net a payer", "montant total",
            "total a payer", "totaal", "te betalen", "totaalbedrag", "totaal incl", "importe total", "total a pagar", "totale",
            "importo totale", "totale documento", "totale fattura", "valor total", "razem", "do zaplaty",
            "suma", "wartosc brutto", "razem brutto", "summa", "att betala", "totalt", "total att betala", "i alt", "at betale",
            "total inkl moms", "totalbelob", "a betale", "yhteensa", "maksettava", "loppusumma", "jumlah", "jumlah besar",
        ]),
        (LabelKind.Net,
        [
            "subtotal", "sub total", "net", "net amount", "net total", "total net", "total excl", "total excluding", "excl vat",
            "excl tax", "before tax", "taxable amount", "nettobetrag", "netto", "zwischensumme", "summe netto", "gesamt netto",
            "total ht", "montant ht", "sous total", "base ht", "subtotaal", "totaal excl", "excl btw", "base imponible",
            "importe neto", "imponibile", "totale imponibile", "valor liquido", "valor sem iva", "wartosc netto", "razem netto",
            "delsumma", "exkl moms", "netto belob", "belob ekskl moms", "eks mva", "sum eks mva", "veroton", "valisumma",
            "sub jumlah",
        ]),
        (LabelKind.Tax,
        [
            "vat", "tax", "sales tax", "mwst", "ust", "umsatzsteuer", "mehrwertsteuer", "tva", "gst", "cgst", "sgst", "igst", "hst",
            "sst", "service tax", "btw", "iva", "imposta", "moms", "mva", "merverdiavgift", "alv", "arvonlisavero", "podatek",
            "podatek vat", "kwota vat", "vat amount", "tax amount", "gst amount", "cukai", "steuer", "imposto", "impuesto",
        ]),
        (LabelKind.Payment,
        [
            "cash", "tunai", "change", "tendered", "cash tendered", "paid", "amount paid", "payment", "rounding", "round",
            "rounding adj", "adjustment", "wechselgeld", "gegeben", "bar", "ruckgeld", "rendu", "especes", "monnaie", "visa",
            "mastercard", "master", "card", "credit card", "debit", "cambio", "efectivo", "contanti", "resto", "wisselgeld",
            "contant", "pin", "reszta", "gotowka", "karta", "kontant", "vaxel", "kontanter", "byttepenger", "kateinen",
            "vaihtoraha", "baki", "deposit", "already paid", "bezahlt", "paye", "betaald", "pagado", "pagato", "zaplacono",
            "betalt", "maksettu",
        ]),
        (LabelKind.Discount, ["discount", "rabatt", "remise", "reduction", "korting", "descuento", "sconto", "desconto", "rabat", "alennus", "diskaun"]),
        (LabelKind.Quantity,
        [
            "qty", "quantity", "menge", "anzahl", "qte", "quantite", "aantal", "cantidad", "quantita", "quantidade", "ilosc",
            "antal", "antall", "maara", "kpl", "unit price", "price", "preis", "einzelpreis", "prix", "prix unitaire", "prijs",
            "precio", "prezzo", "preco", "cena", "pris", "hinta", "rate", "stk", "units", "hours", "stunden", "uren", "horas",
            "ore", "godziny", "timer", "tunnit", "harga", "unit", "each",
        ]),
        (LabelKind.Date,
        [
            "date", "invoice date", "date of issue", "issue date", "issued", "issued on", "datum", "rechnungsdatum", "belegdatum",
            "ausstellungsdatum", "date de facture", "date d emission", "date facture", "factuurdatum", "datum factuur", "fecha",
            "fecha de factura", "fecha factura", "fecha de emision", "data", "data fattura", "data emissione", "data da fatura",
            "data de emissao", "data wystawienia", "data faktury", "fakturadatum", "dato", "fakturadato", "fakturadag",
            "paivamaara", "paivays", "laskun paivamaara", "tarikh", "receipt date", "bill date",
        ]),
        (LabelKind.DueDate,
        [
            "due", "due date", "payment due", "due on", "due by", "pay by", "payable by", "date due", "falligkeit",
            "falligkeitsdatum", "fallig am", "zahlbar bis", "zahlungsziel", "echeance", "date d echeance", "a payer avant",
            "vervaldatum", "vervaldag", "te betalen voor", "fecha de vencimiento", "vencimiento", "scadenza", "data di scadenza",
            "data scadenza", "vencimento", "data de vencimento", "termin platnosci", "termin zaplaty", "forfallodatum",
            "forfallodag", "betalas senast", "forfaldsdato", "betalingsfrist", "forfallsdato", "forfall", "erapaiva",
        ]),
        (LabelKind.OtherDate,
        [
            "delivery date", "date of delivery", "date of supply", "service date", "order date", "lieferdatum", "leistungsdatum",
            "bestelldatum", "leistungszeitraum", "zeitraum", "date de livraison", "livraison", "periode", "period", "leverdatum",
            "fecha de entrega", "data di consegna", "data de entrega", "data dostawy", "data sprzedazy", "leveransdatum",
            "leveringsdato", "toimituspaiva", "time", "zeit", "heure", "tijd", "hora", "ora", "godzina", "tid", "aika", "masa",
        ]),
        (LabelKind.Number,
        [
            "invoice no", "invoice number", "invoice nr", "invoice", "inv no", "invoice id", "bill no", "receipt no", "receipt",
            "receipt number", "document no", "doc no", "no", "nr", "number", "rechnungsnummer", "rechnung nr", "rechnungsnr",
            "rechnung", "beleg nr", "belegnummer", "bon nr", "facture", "facture n", "numero de facture", "n facture", "numero",
            "factuurnummer", "factuur nr", "factuur", "factuurnr", "numero de factura", "factura", "factura n", "n factura",
            "fattura", "fattura n", "numero fattura", "fatura", "numero da fatura", "fatura n", "faktura", "nr faktury",
            "faktura nr", "numer faktury", "fakturanummer", "fakturanr", "lasku", "laskun numero", "laskunumero",
            "no resit", "resit", "cash bill", "bill", "ticket", "transaction", "trans", "tax invoice no", "credit note no",
        ]),
        (LabelKind.OtherId,
        [
            "customer no", "customer number", "customer id", "account no", "account number", "kundennummer", "kunden nr",
            "order no", "order number", "bestellnummer", "auftragsnummer", "po", "po number", "purchase order", "reference",
            "ref", "your reference", "vat id", "vat no", "vat number", "vat reg", "tax id", "tax no", "ust idnr", "ust id",
            "steuernummer", "steuer nr", "siret", "siren", "tva intracommunautaire", "kvk", "btw nummer", "btw nr", "nif", "cif",
            "partita iva", "p iva", "codice fiscale", "nipc", "nip", "regon", "krs", "org nr", "organisationsnummer", "cvr",
            "foretaksregisteret", "y tunnus", "gstin", "gst id", "gst reg", "sst id", "abn", "company no", "reg no", "roc",
            "iban", "bic", "swift", "account", "konto", "sort code", "cashier", "table", "member", "terminal", "pos", "counter",
            "klantnummer", "numero de cliente", "numero cliente", "kundnummer", "kundenummer", "asiakasnumero", "client",
        ]),
        (LabelKind.Buyer,
        [
            "bill to", "billed to", "invoice to", "invoiced to", "ship to", "sold to", "deliver to", "customer", "client", "buyer",
            "recipient", "attn", "to", "rechnungsempfanger", "rechnungsadresse", "lieferadresse", "kunde", "empfanger", "an",
            "facture a", "facturer a", "adresse de facturation", "destinataire", "klant", "factuur aan", "factuuradres",
            "afnemer", "cliente", "facturar a", "destinatario", "fatturare a", "intestatario", "nabywca", "odbiorca", "kund",
            "fakturaadress", "faktureres til", "asiakas", "laskutusosoite", "pelanggan",
        ]),
        (LabelKind.Seller,
        [
            "from", "seller", "supplier", "vendor", "issuer", "issued by", "sold by", "pay to", "remit to", "payable to",
            "lieferant", "verkaufer", "rechnungssteller", "aussteller", "fournisseur", "vendeur", "emetteur", "leverancier",
            "verkoper", "proveedor", "emisor", "vendedor", "fornitore", "emittente", "cedente", "fornecedor", "sprzedawca",
            "wystawca", "leverantor", "saljare", "saelger", "leverandor", "selger", "myyja", "laskuttaja", "penjual",
        ]),
        (LabelKind.Title,
        [
            "invoice", "tax invoice", "simplified tax invoice", "rechnung", "facture", "factuur", "factura", "fattura", "fatura",
            "faktura", "lasku", "receipt", "official receipt", "cash receipt", "quittung", "kassenbon", "recu", "ticket",
            "credit note", "gutschrift", "avoir", "creditnota", "nota de credito", "nota di credito", "faktura korygujaca",
            "kreditnota", "hyvityslasku", "cash bill", "resit", "bon", "kvitto", "kvittering",
        ]),
        (LabelKind.Contact,
        [
            "tel", "telephone", "phone", "fax", "mobile", "email", "e mail", "web", "website", "www", "telefon", "telefoon",
            "telefono", "telefone", "tlf", "puhelin", "address", "adresse", "adres", "direccion", "indirizzo", "endereco",
            "adress", "osoite", "alamat", "street", "strasse", "str", "road", "jalan", "avenue", "rue", "straat", "calle", "via",
            "rua", "ulica", "ul", "gatan", "vej", "gate", "katu", "taman",
        ]),
    ];

    private static readonly Dictionary<string, int> Phrases = BuildPhrases();

    /// <summary>Looks up a window of a normalised line without cutting it out: labels are matched on every cell of every page.</summary>
    private static readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> PhraseSpans = Phrases.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The longest phrase, in words: no window longer than this needs looking up.</summary>
    private static readonly int LongestPhrase = Phrases.Keys.Max(p => p.Count(c => c == ' ') + 1);

    private static Dictionary<string, int> BuildPhrases()
    {
        var phrases = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (kind, words) in Entries)
        foreach (var phrase in words)
        {
            var key = Normalise(phrase);
            phrases[key] = phrases.GetValueOrDefault(key) | (1 << (int)kind);
        }

        return phrases;
    }

    /// <summary>
    /// Lower case, accents and ligatures folded (ä → a, ß → ss, ł → l, ø → o, æ → ae), everything that is
    /// not a letter or a digit turned into one space: the form labels are compared in.
    /// </summary>
    public static string Normalise(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        // Most labels are plain ASCII, which has nothing to decompose.
        var decomposed = Ascii.IsValid(text) ? text : text.ToString().Normalize(NormalizationForm.FormD).AsSpan();
        var space = true;
        foreach (var raw in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(raw) == UnicodeCategory.NonSpacingMark) continue;
            var c = char.ToLowerInvariant(raw);
            var folded = c switch
            {
                'ß' => "ss",
                'ł' => "l",
                'ø' => "o",
                'æ' => "ae",
                'œ' => "oe",
                'đ' => "d",
                'ı' => "i",
                _ => null,
            };
            if (folded is not null)
            {
                builder.Append(folded);
                space = false;
            }
            else if (char.IsLetterOrDigit(c))
            {
                builder.Append(c);
                space = false;
            }
            else if (!space)
            {
                builder.Append(' ');
                space = true;
            }
        }

        if (builder.Length > 0 && builder[^1] == ' ') builder.Length--;
        return builder.ToString();
    }

    /// <summary>The kinds of every label phrase in <paramref name="normalised"/> text, as a bit set over <see cref="LabelKind"/>.</summary>
    public static int KindsIn(string normalised)
    {
        if (normalised.Length == 0) return 0;
        Span<int> starts = stackalloc int[Math.Min(normalised.Length / 2 + 1, 256)];
        var words = 0;
        for (var i = 0; i < normalised.Length && words < starts.Length; i++)
            if (i == 0 || normalised[i - 1] == ' ') starts[words++] = i;

        var kinds = 0;
        for (var w = 0; w < words; w++)
        for (var n = 1; n <= LongestPhrase && w + n <= words; n++)
        {
            var end = w + n < words ? starts[w + n] - 1 : normalised.Length;
            if (PhraseSpans.TryGetValue(normalised.AsSpan(starts[w], end - starts[w]), out var found)) kinds |= found;
        }

        return kinds;
    }

    public static bool Has(int kinds, LabelKind kind) => (kinds & (1 << (int)kind)) != 0;

    public static int KindCount { get; } = Enum.GetValues<LabelKind>().Length;

    private static readonly string[] LegalForms =
    [
        "gmbh", "ag", "kg", "ohg", "ug", "e k", "ek", "mbh", "ltd", "limited", "llc", "inc", "corp", "corporation", "co", "company",
        "plc", "llp", "lp", "pty", "pvt", "private limited", "bv", "b v", "nv", "n v", "vof", "sa", "s a", "sas", "sarl", "sasu",
        "eurl", "sl", "s l", "slu", "sc", "spa", "s p a", "srl", "s r l", "snc", "lda", "sp z o o", "sp j", "s c", "ab",
        "hb", "as", "a s", "aps", "asa", "da", "ans", "oy", "oyj", "ky", "sdn bhd", "bhd", "sdn", "enterprise", "enterprises",
        "trading", "restaurant", "restoran", "store", "shop", "mart", "supermarket", "cafe", "bakery", "hardware", "pharmacy",
        "stationery", "services", "solutions", "consulting", "group", "gbr", "partg", "se",
    ];

    private static readonly HashSet<string> LegalFormSet = new(LegalForms.Select(f => f.Replace(" ", "")), StringComparer.Ordinal);

    /// <summary>Whether a name ends with or holds a legal form or a trade word ("GmbH", "Sp. z o.o.", "SDN BHD", "Trading").</summary>
    public static bool HasLegalForm(string normalised)
    {
        if (normalised.Length == 0) return false;
        var words = normalised.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var joined = "";
            for (var n = 0; n < 4 && i + n < words.Length; n++)
            {
                joined += words[i + n];
                if (LegalFormSet.Contains(joined)) return true;
            }
        }

        return false;
    }
}
