using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

public static partial class InvoiceFieldExtractor
{
    /// <summary>How many non-blank lines from the top the letterhead may take.</summary>
    private const int LetterheadLines = 16;

    private sealed record IssuerCandidate(int Start, int End, double Score);

    /// <summary>
    /// Who issued the document: a labelled name ("From:", "Lieferant:") when there is one, else the
    /// likeliest name in the letterhead. Addresses, contact lines, labels, the document's title and
    /// the recipient's block are passed over; a legal form ("GmbH", "Ltd", "SAS"), a sender line
    /// ("Name · Street · Town"), bold type and being named again further down speak for a candidate.
    /// </summary>
    private static Found? FindIssuer(Document doc)
    {
        if (Best(doc.Search, doc.Content, doc.Lines, IssuerLabels, ReadName, preferLast: false) is { } labelled)
            return Normalised(doc.Content, labelled);

        IssuerCandidate? best = null;
        var rank = 0;
        // Under a recipient heading ("Bill to") the lines up to the next blank line after them are the customer's.
        var inRecipient = false;
        var recipientLines = 0;
        var seen = 0;
        // Under headings side by side ("To    From", "Aan    Van") the sender's column holds the issuer, the other the customer.
        int? senderColumn = null;
        var partyLines = 0;
        foreach (var line in doc.Lines)
        {
            var span = doc.Content.AsSpan(line.Start, line.End - line.Start);
            if (span.IsWhiteSpace())
            {
                if (recipientLines > 0) inRecipient = false;
                if (partyLines > 0) senderColumn = null;
                continue;
            }

            if (++seen > LetterheadLines) break;
            if (span.TrimStart().StartsWith("|")) continue; // a table row: labels and values, not a letterhead
            if (SenderColumn(doc.Content, line) is { } column)
            {
                (senderColumn, partyLines, inRecipient) = (column, 0, false);
                continue;
            }

            if (senderColumn is { } sender)
            {
                foreach (var cell in LetterheadCells(doc.Content, line))
                {
                    if (Math.Abs(cell.Start - line.Start - sender) > 3) continue;
                    if (Score(doc.Content, cell.Start, cell.End, cell.SenderLine, cell.Bold, rank) is not { } score) continue;
                    rank++;
                    // The first line under the sender's heading is its name.
                    score += partyLines == 0 ? 0.4 : 0;
                    if (best is null || score > best.Score) best = new IssuerCandidate(cell.Start, cell.End, score);
                }

                partyLines++;
                continue;
            }

            if (RecipientMarker().IsMatch(span))
            {
                (inRecipient, recipientLines) = (true, 0);
                continue;
            }

            if (inRecipient)
            {
                recipientLines++;
                continue;
            }
            foreach (var cell in LetterheadCells(doc.Content, line))
            {
                if (Score(doc.Content, cell.Start, cell.End, cell.SenderLine, cell.Bold, rank) is not { } score) continue;
                rank++;
                if (best is null || score > best.Score) best = new IssuerCandidate(cell.Start, cell.End, score);
            }
        }

        return best is null
            ? null
            : Normalised(doc.Content, new Found(doc.Content[best.Start..best.End], "text", Math.Clamp(best.Score, 0.3, 0.8), best.Start, best.End, -1));
    }

    private readonly record struct LetterheadCell(int Start, int End, bool SenderLine, bool Bold);

    /// <summary>
    /// Where the sender's column starts on a line of party headings side by side, one the recipient's and one the
    /// sender's ("Bill to    From", "Til    Fra", "Nabywca    Sprzedawca"); null on any other line.
    /// </summary>
    private static int? SenderColumn(string content, TextLine line)
    {
        var cells = Cells(content, line);
        if (cells.Count != 2) return null;
        int? sender = null;
        var recipient = false;
        foreach (var (start, end) in cells)
        {
            var text = content.AsSpan(start, end - start).Trim("*:#,. ");
            if (SenderHeading().IsMatch(text)) sender = start - line.Start;
            else if (RecipientMarker().IsMatch(text) && text.Count(' ') <= 2) recipient = true;
        }

        return recipient ? sender : null;
    }

    [GeneratedRegex(@"^(?:from|sender|seller|supplier|vendor|issuer|von|absender|lieferant|verkäufer|de|émetteur|fournisseur|vendeur|van|afzender|leverancier|verkoper|da|remitente|emisor|proveedor|vendedor|mittente|fornitore|cedente|fornecedor|od|sprzedawca|wystawca|fra|från|avsändare|leverantör|säljare|afsender|leverandør|sælger|avsender|selger|lähettäjä|myyjä|laskuttaja|toimittaja)$", RegexOptions.IgnoreCase)]
    private static partial Regex SenderHeading();

    /// <summary>
    /// The cells of a letterhead line: columns apart by wide gaps, and of a sender line
    /// ("Acme GmbH · Hauptstr. 1 · 12345 Berlin") only the first part. A document title sharing
    /// the cell ("Lakeside Dental PC INVOICE", as OCR joins columns) is cut off.
    /// </summary>
    private static IEnumerable<LetterheadCell> LetterheadCells(string content, TextLine line)
    {
        var start = line.Start;
        for (var i = line.Start; i <= line.End; i++)
        {
            var gap = i == line.End || (i + 2 < line.End && content[i] == ' ' && content[i + 1] == ' ' && content[i + 2] == ' ') || content[i] == '\t';
            if (!gap) continue;
            if (Trimmed(content, start, i) is { } cell)
            {
                var text = content.AsSpan(cell.Start, cell.End - cell.Start);
                var separator = text.IndexOfAny('·', '•');
                // "Acme S.L. – Calle Mayor 1 – 48001 Bilbao": a sender line separated by dashes, twice at least.
                if (separator < 0 && text.IndexOf(" – ", StringComparison.Ordinal) is var dash and > 0 && text[(dash + 3)..].Contains(" – ", StringComparison.Ordinal))
                    separator = dash;
                var bold = content.AsSpan(start, i - start).Trim().StartsWith("**");
                if (separator > 0 && Trimmed(content, cell.Start, cell.Start + separator) is { } first)
                    yield return new LetterheadCell(first.Start, first.End, SenderLine: true, bold);
                else
                    yield return new LetterheadCell(CutLeadingTitle(content, cell.Start, cell.End), CutTitle(content, cell.Start, cell.End), SenderLine: false, bold);
            }

            while (i < line.End && content[i] is ' ' or '\t') i++;
            start = i;
        }
    }

    private static int CutTitle(string content, int start, int end)
    {
        var match = TrailingTitle().Match(content, start, end - start);
        return match.Success && match.Index > start ? Trimmed(content, start, match.Index)?.End ?? end : end;
    }

    private static int CutLeadingTitle(string content, int start, int end)
    {
        var match = LeadingTitle().Match(content, start, end - start);
        return match.Success ? start + match.Length : start;
    }

    [GeneratedRegex(@"\s+(?:TAX\s+|Tax\s+)?(?:INVOICE|Invoice|RECHNUNG|Rechnung|FACTURE|Facture|RECEIPT|Receipt|CREDIT\s+NOTE|Credit\s+Note|GUTSCHRIFT|Gutschrift|AVOIR|Avoir|FACTUUR|Factuur|FACTURA|Factura|FATTURA|Fattura|FATURA|Fatura|FAKTURA|Faktura|LASKU|Lasku|KVITTO|Kvitto|KVITTERING|Kvittering|RECIBO|Recibo)\s*$")]
    private static partial Regex TrailingTitle();

    /// <summary>A title before a name ("INVOICE Acme Ltd"), not before a label ("Invoice No.").</summary>
    [GeneratedRegex(@"^(?:TAX\s+|Tax\s+)?(?:INVOICE|Invoice|RECHNUNG|Rechnung|FACTURE|Facture|RECEIPT|Receipt|CREDIT\s+NOTE|Credit\s+Note|GUTSCHRIFT|Gutschrift|AVOIR|Avoir|FACTUUR|Factuur|FACTURA|Factura|FATTURA|Fattura|FATURA|Fatura|FAKTURA|Faktura|LASKU|Lasku|KVITTO|Kvitto|KVITTERING|Kvittering|RECIBO|Recibo)\s+(?!(?:No|Nr|Number|Nummer|Date|Datum|Num|N°|Total|Betrag|Montant|Numer|Número|Numero|Fecha|Data|Dato|Nro)\b)(?=\p{Lu}\p{L}*\s)")]
    private static partial Regex LeadingTitle();

    private static (int Start, int End)? Trimmed(string content, int start, int end)
    {
        while (start < end && (char.IsWhiteSpace(content[start]) || content[start] is '*' or '#' or '>' or '_' or '|')) start++;
        while (end > start && (char.IsWhiteSpace(content[end - 1]) || content[end - 1] is '*' or ',' or '_' or '|' or '·' or '•')) end--;
        return end > start ? (start, end) : null;
    }

    /// <summary>How much a cell looks like the issuer's name, or null when it cannot be one.</summary>
    private static double? Score(string content, int start, int end, bool senderLine, bool bold, int rank)
    {
        var text = content.AsSpan(start, end - start);
        if (text.Length is < 3 or > 70 || !text.ContainsAnyExcept("0123456789 .,-/()+") || IsDocumentTitle(text)
            || text.Contains(':') || text.Contains('@') || text.Contains("://", StringComparison.Ordinal) || text.StartsWith("www", StringComparison.OrdinalIgnoreCase)
            || char.IsAsciiDigit(text[0]) || text[0] is '+' or '(' || NotAName().IsMatch(text) || text.Count(' ') > 8)
            return null;

        var score = 0.5 - 0.03 * Math.Min(rank, 8);
        if (LegalForm().IsMatch(text) || ShortLegalForm().IsMatch(text)) score += 0.25;
        if (senderLine) score += 0.15;
        if (bold) score += 0.15;
        if (text.ContainsAnyInRange('0', '9')) score -= 0.3;
        if (StreetOrPlace().IsMatch(text)) score -= 0.3;
        if (IsNamedAgain(content, text, start)) score += 0.1;
        return score;
    }

    private static bool IsNamedAgain(string content, ReadOnlySpan<char> name, int at)
    {
        var first = content.AsSpan().IndexOf(name, StringComparison.OrdinalIgnoreCase);
        if (first >= 0 && first != at) return true;
        var next = content.AsSpan(at + name.Length).IndexOf(name, StringComparison.OrdinalIgnoreCase);
        return next >= 0;
    }

    /// <summary>
    /// A name printed in capitals (till receipts do) is given in title case, or as it is written
    /// elsewhere in the text if it is; legal forms keep their usual spelling.
    /// </summary>
    private static Found Normalised(string content, Found name)
    {
        if (name.Value.Any(char.IsLower) || !name.Value.Any(char.IsLetter)) return name;
        return SpelledElsewhere(content, name) ?? name with { Value = TitleCase(name.Value) };
    }

    /// <summary>A name in capitals as the same text writes it elsewhere in mixed case ("ACME GMBH" over "Acme GmbH" in the footer).</summary>
    private static Found? SpelledElsewhere(string content, Found name)
    {
        var value = name.Value;
        var elsewhere = content.IndexOf(value, StringComparison.OrdinalIgnoreCase);
        while (elsewhere >= 0)
        {
            var written = content.Substring(elsewhere, value.Length);
            if (written.Any(char.IsLower)) return name with { Value = written, Start = elsewhere, End = elsewhere + value.Length };
            elsewhere = content.IndexOf(value, elsewhere + 1, StringComparison.OrdinalIgnoreCase);
        }

        return null;
    }

    private static readonly Dictionary<string, string> LegalFormSpelling = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMBH"] = "GmbH", ["LTD"] = "Ltd", ["LTD."] = "Ltd.", ["INC"] = "Inc", ["INC."] = "Inc.", ["LLC"] = "LLC", ["LLP"] = "LLP",
        ["PLC"] = "PLC", ["AG"] = "AG", ["KG"] = "KG", ["UG"] = "UG", ["OHG"] = "OHG", ["GBR"] = "GbR", ["SARL"] = "SARL",
        ["SAS"] = "SAS", ["SA"] = "SA", ["EURL"] = "EURL", ["CO."] = "Co.", ["CO"] = "Co", ["CORP."] = "Corp.", ["PVT."] = "Pvt.",
        ["E.K."] = "e.K.", ["E.V."] = "e.V.", ["&"] = "&", ["BHD"] = "Bhd", ["BHD."] = "Bhd.", ["SDN"] = "Sdn", ["SDN."] = "Sdn.",
        ["S/B"] = "S/B", ["B.V."] = "B.V.", ["BV"] = "BV", ["N.V."] = "N.V.", ["S.L."] = "S.L.", ["S.A."] = "S.A.", ["S.P.A."] = "S.p.A.",
        ["S.R.L."] = "S.r.l.", ["LDA"] = "Lda", ["LDA."] = "Lda.", ["AB"] = "AB", ["A/S"] = "A/S", ["AS"] = "AS", ["APS"] = "ApS",
        ["OY"] = "Oy", ["OYJ"] = "Oyj",
    };

    private static readonly HashSet<string> SmallWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "of", "the", "und", "der", "die", "das", "am", "im", "de", "du", "des", "la", "le", "les", "et", "à",
        "en", "van", "het", "y", "del", "e", "di", "della", "da", "do", "dos", "och", "og", "i",
    };

    private static string TitleCase(string capitals)
    {
        var words = capitals.Split(' ');
        var output = new StringBuilder(capitals.Length);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (i > 0) output.Append(' ');
            if (LegalFormSpelling.TryGetValue(word, out var spelled)) output.Append(spelled);
            else if (i > 0 && SmallWords.Contains(word)) output.Append(word.ToLowerInvariant());
            // Three letters or fewer without a vowel read as an abbreviation ("KFZ", "BMW").
            else if (word.Length <= 3 && !word.AsSpan().ContainsAny("AEIOUÄÖÜÉÈ")) output.Append(word);
            else output.Append(CultureInfo.InvariantCulture.TextInfo.ToTitleCase(word.ToLowerInvariant()));
        }

        return output.ToString();
    }

    /// <summary>A name after its label, up to an e-mail address in angle brackets or the next cell.</summary>
    private static Found? ReadName(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        // "supplier.name: Acme" in rendered JSON: step over the rest of the key.
        var colon = content.IndexOf(": ", from, end - from, StringComparison.Ordinal);
        if (colon > from && !content.AsSpan(from, colon - from).ContainsAny(' ', '\t')) from = SkipSeparators(content, colon, end);
        var to = content.IndexOfAny(['<', '|', '\t', '·', '•'], from, end - from) is var stop and >= 0 ? stop : end;
        var gap = content.IndexOf("   ", from, to - from, StringComparison.Ordinal);
        if (gap > from) to = gap;
        while (to > from && (char.IsWhiteSpace(content[to - 1]) || content[to - 1] is ',' or '*')) to--;
        if (to - from is < 2 or > 100 || !content.AsSpan(from, to - from).ContainsAnyInRange('A', 'z')) return null;
        // "From: Acme ApS, Strandvejen 88, 2900 Hellerup": the name ends where its address begins.
        var comma = content.IndexOf(", ", from, to - from, StringComparison.Ordinal);
        if (comma > from + 1 && content.AsSpan(comma, to - comma).ContainsAnyInRange('0', '9')) to = comma;
        // "From:" alone above "Invoice Date  10 December 2023": the next line is another label, not the name.
        var name = content.AsSpan(from, to - from);
        if (IsDocumentTitle(name) || NotAName().IsMatch(name) || name.Contains(':')) return null;
        return new Found(content[from..to], "text", 0, from, to, -1);
    }

    [GeneratedRegex(@"\b(?:gmbh|ltd|limited|llc|llp|l\.l\.c|inc|corp|corporation|plc|sarl|sàrl|sasu|eurl|pvt|pty|s\.?r\.?l|s\.?p\.?a|gbr|k\.k|ohg|sdn\.?\s*bhd|bhd|s/b|lda|ltda|sp\.\s*z\s*o\.\s*o|spółka|s\.\s*l\.\s*u|s\.\s*a\.\s*u|bvba|v\.o\.f|oyj|aps|enterprise|trading)\b\.?", RegexOptions.IgnoreCase)]
    private static partial Regex LegalForm();

    /// <summary>Short forms that are also ordinary words in some language are only taken in their usual spelling.</summary>
    [GeneratedRegex(@"(?<=\s)(?:AG|KG|UG|SA|SAS|SE|NV|BV|N\.V\.|B\.V\.|AB|AS|ASA|A/S|ApS|DA|ANS|Oy|Oyj|Ky|PC|P\.C\.|Co\.|e\.\s?K\.|e\.V\.|S\.A\.|S\.L\.|S\.L\.U\.|S\.A\.U\.|SL|SLU|SpA|S\.p\.A\.|Srl|SRL|S\.r\.l\.|Lda\.?|VOF|V\.O\.F\.|KGaA)(?=$|[\s,)])")]
    private static partial Regex ShortLegalForm();

    [GeneratedRegex(@"\b(?:street|st\.|road|rd\.|lane|avenue|ave\.|drive|boulevard|blvd|plaza|suite|floor|unit|court|square|straße|strasse|str\.|weg|platz|allee|gasse|damm|ufer|chaussee|rue|chemin|quai|impasse|allée|bd\.?|via|calle|p\.?o\.?\s*box|postfach|bp\s"
        // Street words of the other languages, and street names that are one word ending in one ("Dorpsstraat", "Storgata", "Strandvej").
        + @"|avenida|avda\.?|plaza|paseo|carrer|c/|viale|piazza|corso|largo|rua|travessa|ul\.|al\.|ulica|jalan|jln\.?|lorong|taman|lot\s*\d|no\.\s*\d"
        + @"|\p{L}{2,}(?:straat|laan|plein|gracht|kade|singel|steeg|gatan|gata|gate|vägen|veien|vei|vej|gade|katu|tie|polku|kuja))\b", RegexOptions.IgnoreCase)]
    private static partial Regex StreetOrPlace();

    /// <summary>Lines that say something else: contact and tax details, greetings, payment terms, page furniture.</summary>
    [GeneratedRegex(@"^(?:tel|phone|fax|mobile|e-?mail|web|iban|bic|swift|vat|ust|tva|gst|gstin|ein|tax|siret|siren|rcs|steuer|st\.?-?nr|uid|hrb|hra|mwst|amtsgericht|registered|company\s*(?:no|reg)|reg\.?\s*no|abn|page|seite|dear|hi|hello|sehr\s+geehrte|bonjour|madame|monsieur|date|datum|due|customer|kunden|client|order|bestell|description|bezeichnung|désignation|subject|betreff|objet|re:|thank|vielen|merci|bank|account|konto|payment|zahlung|paiement|please|bitte|veuillez"
        + @"|btw|kvk|iva|nif|cif|nipc|nip|regon|krs|cvr|org\.?\s*nr|orgnr|organisationsnummer|moms|mva|alv|y-tunnus|p\.?\s*iva|partita|codice|telefoon|teléfono|telefono|telefone|telefon|tlf|puh|puhelin"
        + @"|fecha|dato|päivämäärä|pagina|página|strona|sida|side|sivu|klant|cliente|kund|kunde|asiakas|nabywca|odbiorca|betaling|pago|pagamento|płatność|betalning|maksu"
        + @"|bedankt|gracias|grazie|obrigad[oa]|dziękujemy|tack|kiitos|geachte|estimad[oa]|gentile|prezad[oa]|szanown[iy]|hej|hei|kære|bästa"
        // Table headings, in case a letterhead is short and the table follows right below it.
        + @"|description|beskrivelse|beschrijving|descripción|descrizione|descrição|opis|beskrivning|kuvaus|artikel|artikelen|articolo|artículo|item|items|qty|quantity|total|subtotal|amount)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NotAName();

    /// <summary>The heading of the recipient's block; the lines under it (to the next blank line) are the customer's.</summary>
    [GeneratedRegex(@"^\W*(?:bill(?:ed)?\s*to|invoice\s*to|sold\s*to|ship(?:ped)?\s*to|deliver(?:ed|y)?\s*(?:to|address)|customer|client|buyer|recipient|rechnungsempfänger|rechnungsadresse|empfänger|lieferadresse|lieferanschrift|kunde|factur[ée]\s*à|adress[ée]\s*à|destinataire|livr[ée]\s*à|to"
        + @"|aan|klant|afnemer|factuuradres|afleveradres|geadresseerde|cliente|destinatario|destinatário|facturar\s*a|faturar\s*a|enviar\s*a|fatturare\s*a|intestatario|spett(?:\.|abile)"
        + @"|nabywca|odbiorca|kund|köpare|mottagare|faktureringsadress|leveransadress|køber|kjøper|modtager|mottaker|faktureringsadresse|leveringsadresse|til|asiakas|vastaanottaja|ostaja|laskutusosoite|toimitusosoite)\b"
        + @"(?!\s*(?:id\b|no\b|nr\b|number|nummer|numer|número|numero|nro\b|n°|nº|#|ref))", RegexOptions.IgnoreCase)]
    private static partial Regex RecipientMarker();
}
