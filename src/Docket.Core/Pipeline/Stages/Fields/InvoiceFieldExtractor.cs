using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>
/// A first, text-based extractor for invoices, receipts and credit notes: finds labelled values
/// ("Invoice No.:", "Rechnungsdatum", "Total TTC") in English, German and French, normalises them and
/// records where each was found. Every value's source covers exactly the raw text it came from.
/// </summary>
public static partial class InvoiceFieldExtractor
{
    /// <summary>Net plus tax may differ from the total by rounding, never by more than a cent.</summary>
    public const decimal Tolerance = 0.01m;

    private sealed record Label(Regex Pattern, double Confidence);

    private sealed record Found(string Value, string Type, double Confidence, int Start, int End, int Line)
    {
        public ExtractedField ToField(ExtractedText text) =>
            new(Value, Type, Math.Round(Confidence, 2), new FieldSource(text.PageOf(Start), Start, End));
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static Label L(string pattern, double confidence) => new(new Regex(pattern.Replace("'", "['’]"), Options), confidence);

    private static readonly Label[] InvoiceNumberLabels =
    [
        L(@"\b(?:invoice|inv|bill)\s*(?:no\b\.?|number|num\b\.?|nr\b\.?|#|id\b)", 0.9),
        L(@"\brechnungs-?(?:nummer|nr\b\.?)|\brechnung\s*(?:nr\b\.?|nummer|#)", 0.9),
        L(@"\b(?:n°|no\b\.?|numéro)\s*(?:de\s*)?facture\b|\bfacture\s*(?:n°|no\b\.?|numéro|#)", 0.9),
        L(@"\bcredit\s*note\s*(?:no\b\.?|number|#)|\bgutschrift(?:s-?nummer|\s*nr\b\.?)|\bavoir\s*n°", 0.9),
        L(@"\breceipt\s*(?:no\b\.?|number|#)|\bbeleg-?(?:nr\b\.?|nummer)|\b(?:bon|ticket)\s*n°", 0.85),
        L(@"^[\w\[\]. ]*\b(?:number|numero|numéro|nummer)\s*:", 0.6),
        // The document's name followed by a reference: "# Invoice PP-2024-675", "Rechnung HÜ-2023-456".
        L(@"^[#*\s]*(?:tax\s+)?(?:invoice|rechnung|facture|credit\s+note|gutschrift)\b(?=\s+\S*\d)", 0.6),
    ];

    private static readonly Label[] DateLabels =
    [
        L(@"\binvoice\s*date\b|\bdate\s*of\s*(?:issue|invoice)\b|\bissue\s*date\b|\bissued(?:\s*on)?\b|\binvoice_date\b", 0.9),
        L(@"\brechnungsdatum\b|\bbelegdatum\b|\bausstellungsdatum\b|\bdate\s*de\s*(?:la\s*)?facture\b|\bdate\s*d?'?[ée]mission\b", 0.9),
        L(@"(?<!due\s|delivery\s)\bdate\b(?!\s*(?:de\s*livraison|d'échéance|due))|\bdatum\b", 0.7),
    ];

    private static readonly Label[] DueDateLabels =
    [
        L(@"\bdue\s*date\b|\bpayment\s*due\b|\bdue\s*(?:on|by)\b|\bdue_date\b", 0.9),
        L(@"\bf(?:ä|ae)llig(?:keit(?:sdatum)?|\s*am|\s*bis)?\b|\bzahlbar\s*bis\b|\bdate\s*d'échéance\b|\béchéance\b", 0.9),
        L(@"\b(?:please\s*)?pay\s*by\b|\bpayable\s*by\b|\bà\s*régler\s*avant\s*le\b|\bbis\s*zum\b", 0.6),
    ];

    private static readonly Label[] TotalLabels =
    [
        L(@"\bgrand\s*total\b|\btotal\s*ttc\b|\bmontant\s*ttc\b|\bgesamtbetrag\b|\brechnungsbetrag\b|\bendbetrag\b", 0.9),
        L(@"\binvoice\s*total\b|\btotal\s*(?:amount|due|credit)\b|\bbruttobetrag\b", 0.9),
        L(@"\btotal\b(?!\s*(?:ht|net|excl|hors|before|vor|qty|quantity|vat|tax|tva|mwst|gst))|\bsumme\b|\bbrutto\b", 0.8),
        // What is left to pay can be less than the total (a deposit paid), so it only counts when no total is written.
        L(@"\bamount\s*due\b|\bbalance\s*due\b|\bnet\s*à\s*payer\b|\breste\s*à\s*payer\b|\bzu\s*zahlen\b|\bzahlbetrag\b", 0.7),
    ];

    private static readonly Label[] NetLabels =
    [
        L(@"\bnet\s*(?:amount|total)\b|\btotal\s*net\b|\btotal\s*(?:excl\.?|excluding|before)\s*(?:vat|tax)\b", 0.85),
        L(@"\bnettobetrag\b|\bnetto(?:summe)?\b|\bsumme\s*netto\b|\btotal\s*ht\b|\bmontant\s*(?:total\s*)?ht\b", 0.85),
        // A subtotal comes before discounts; it is the net only when nothing else is.
        L(@"\bsub-?\s*total\b|\bzwischensumme\b|\bsous-total\b", 0.75),
    ];

    private static readonly Label[] TaxLabels =
    [
        L(@"\b(?:vat|sales\s*tax|tax|mwst|ust|tva|[cs]?gst|igst|hst|umsatzsteuer|mehrwertsteuer|consumption\s*tax)\b(?![\s.-]*(?:reg|id\b|idnr|no\b|nr\b|number|identification|invoice))", 0.85),
    ];

    private static readonly Label[] CurrencyLabels =
    [
        L(@"\b(?:currency|währung|devise)\b", 0.95),
    ];

    private static readonly Label[] IssuerLabels =
    [
        L(@"^(?:[\w\[\]. ]*\.)?(?:seller|supplier|vendor|issuer|lieferant|verkäufer|fournisseur|vendeur|[ée]metteur)\.(?:name|nom|company|firma|raison sociale)\s*:", 0.9),
        L(@"^\W*(?:from|vendor|supplier|seller|issuer|issued\s*by|sold\s*by|lieferant|verkäufer|rechnungssteller|fournisseur|vendeur|[ée]metteur|account name|supplier name|vendor name)\b", 0.85),
    ];

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-/_.#]*")]
    private static partial Regex ReferenceToken();

    [GeneratedRegex(@"\b(?:gmbh|ag|kg|ohg|ug|e\.\s?k|ltd|limited|llc|llp|inc|corp|corporation|co|plc|sarl|sas|sa|eurl|bv|nv|oy|ab|as|pvt|s\.?r\.?l|s\.?p\.?a)\b\.?", RegexOptions.IgnoreCase)]
    private static partial Regex LegalForm();

    public static ExtractedFields Extract(ExtractedText text, string category, bool tabular)
    {
        var content = text.Content;
        var lines = TextLine.Split(content);
        // Labels also match JSON and CSV keys ("total_ttc", "invoice_date"); the copy keeps every offset.
        var search = content.Replace('_', ' ');
        var warnings = new List<string>();
        var values = new Dictionary<string, Found>();

        List<LineItem> items;
        if (tabular && TabularInvoice.Read(content, lines, warnings) is { } table)
        {
            foreach (var (name, found) in table.Values) values[name] = found;
            items = table.Items;
        }
        else
        {
            FindLabelledValues(search, content, lines, values);
            items = InvoiceTables.ReadLineItems(content, lines);
        }

        if (category == Categories.CreditNote) MakeNegative(values);
        CheckSums(values, warnings);

        var fields = new Dictionary<string, ExtractedField>();
        foreach (var name in FieldNames.All)
            if (values.TryGetValue(name, out var found))
                fields[name] = found.Start >= 0 ? found.ToField(text) : new ExtractedField(found.Value, found.Type, Math.Round(found.Confidence, 2), null);
        return new ExtractedFields(fields, items, warnings);
    }

    private static void FindLabelledValues(string search, string content, List<TextLine> lines, Dictionary<string, Found> values)
    {
        Put(values, FieldNames.InvoiceNumber, Best(search, content, lines, InvoiceNumberLabels, ReadReference, preferLast: false));
        var total = Best(search, content, lines, TotalLabels, ReadAmount, preferLast: true);
        Put(values, FieldNames.Total, total);
        Put(values, FieldNames.Net, Best(search, content, lines, NetLabels, ReadAmount, preferLast: true));
        Put(values, FieldNames.Tax, FindTax(search, content, lines, values));

        var currency = Best(search, content, lines, CurrencyLabels, ReadCurrency, preferLast: false)
            ?? (total is null ? null : CurrencyOnLine(content, lines[total.Line], 0.9))
            ?? MostFrequentCurrency(content);
        Put(values, FieldNames.Currency, currency);

        // Only the US writes month first; elsewhere 03/05/2024 is the 3rd of May.
        var monthFirst = currency?.Value == "USD";
        var date = Best(search, content, lines, DateLabels, (c, s, e) => ReadDate(c, s, e, monthFirst), preferLast: false);
        var due = Best(search, content, lines, DueDateLabels, (c, s, e) => ReadDate(c, s, e, monthFirst), preferLast: false);
        date ??= FirstUnlabelledDate(content, due, monthFirst);
        Put(values, FieldNames.Date, date);
        Put(values, FieldNames.DueDate, due);
        Put(values, FieldNames.Issuer, Best(search, content, lines, IssuerLabels, ReadName, preferLast: false) ?? GuessIssuer(content, lines));
    }

    private static void Put(Dictionary<string, Found> values, string name, Found? found)
    {
        if (found is not null) values[name] = found;
    }

    private delegate Found? ValueReader(string content, int start, int end);

    /// <summary>
    /// The value after the best label: the most specific label wins, and among equals the first
    /// (or, for totals, the last: a running "Total" is followed by the final one). A label alone on
    /// its line takes its value from the next line.
    /// </summary>
    private static Found? Best(string search, string content, List<TextLine> lines, Label[] labels, ValueReader read, bool preferLast)
    {
        Found? best = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            foreach (var label in labels)
            {
                if (best is not null && (label.Confidence < best.Confidence || (label.Confidence == best.Confidence && !preferLast)))
                    continue;
                var match = label.Pattern.Match(search, line.Start, line.End - line.Start);
                if (!match.Success) continue;

                var found = read(content, match.Index + match.Length, line.End);
                if (found is null && IsBlankAfterSeparators(content, match.Index + match.Length, line.End) && NextNonBlank(content, lines, i) is { } next)
                    found = read(content, lines[next].Start, lines[next].End) is { } below ? below with { Line = next } : null;
                if (found is null) continue;
                best = found with { Confidence = label.Confidence, Line = found.Line < 0 ? i : found.Line };
                break;
            }
        }

        return best;
    }

    private static bool IsBlankAfterSeparators(string content, int start, int end) =>
        !content.AsSpan(start, end - start).ContainsAnyExcept(" \t:*|#.");

    private static int? NextNonBlank(string content, List<TextLine> lines, int index)
    {
        for (var i = index + 1; i < lines.Count && i <= index + 2; i++)
            if (!content.AsSpan(lines[i].Start, lines[i].End - lines[i].Start).IsWhiteSpace()) return i;
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

    private static Found? ReadDate(string content, int start, int end, bool monthFirst)
    {
        foreach (var date in Dates.Find(content, monthFirst, start, end))
            return new Found(Dates.Format(date.Value), "date", 0, date.Start, date.Start + date.Length, -1);
        return null;
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

    /// <summary>A name after its label, up to an e-mail address in angle brackets or the next cell.</summary>
    private static Found? ReadName(string content, int start, int end)
    {
        var from = SkipSeparators(content, start, end);
        // "supplier.name: Acme" in rendered JSON: step over the rest of the key.
        var colon = content.IndexOf(": ", from, end - from, StringComparison.Ordinal);
        if (colon > from && !content.AsSpan(from, colon - from).ContainsAny(' ', '\t')) from = SkipSeparators(content, colon, end);
        var to = content.IndexOfAny(['<', '|', '\t'], from, end - from) is var stop and >= 0 ? stop : end;
        while (to > from && (char.IsWhiteSpace(content[to - 1]) || content[to - 1] is ',' or '*')) to--;
        if (to - from is < 2 or > 100 || !content.AsSpan(from, to - from).ContainsAnyInRange('A', 'z')) return null;
        return new Found(content[from..to], "text", 0, from, to, -1);
    }

    private static int SkipSeparators(string content, int start, int end)
    {
        while (start < end && content[start] is ' ' or '\t' or ':' or '|' or '*' or '=' or '\u00A0' or '.') start++;
        return start;
    }

    /// <summary>
    /// Tax lines, skipping those that belong to a total ("Total incl. VAT"). Two VAT rates or
    /// CGST + SGST print two lines; their sum is the tax when it makes net + tax = total.
    /// </summary>
    private static Found? FindTax(string search, string content, List<TextLine> lines, Dictionary<string, Found> values)
    {
        var candidates = new List<Found>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var match = TaxLabels[0].Pattern.Match(search, line.Start, line.End - line.Start);
            if (!match.Success || StartsTotalOrNet(search, line, match.Index)) continue;
            if (ReadAmount(content, match.Index + match.Length, line.End) is { } found)
                candidates.Add(found with { Confidence = TaxLabels[0].Confidence, Line = i });
        }

        if (candidates.Count <= 1) return candidates.FirstOrDefault();

        decimal? net = values.TryGetValue(FieldNames.Net, out var n) ? decimal.Parse(n.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        decimal? total = values.TryGetValue(FieldNames.Total, out var t) ? decimal.Parse(t.Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (net is { } netValue && total is { } totalValue)
        {
            foreach (var candidate in candidates)
                if (Math.Abs(netValue + Parse(candidate.Value) - totalValue) <= Tolerance) return candidate;

            var sum = candidates.Sum(c => Parse(c.Value));
            if (Math.Abs(netValue + sum - totalValue) <= Tolerance)
                return new Found(Amounts.Format(sum), "amount", 0.75, -1, -1, -1); // no single place in the text holds a sum
        }

        return candidates[^1];
    }

    private static bool StartsTotalOrNet(string content, TextLine line, int labelIndex)
    {
        foreach (var label in TotalLabels.Concat(NetLabels))
            if (label.Pattern.Match(content, line.Start, line.End - line.Start) is { Success: true } m && m.Index < labelIndex)
                return true;
        return false;
    }

    private static Found? CurrencyOnLine(string content, TextLine line, double confidence)
    {
        foreach (var amount in Amounts.FindNumbers(content, line.Start, line.End))
            if (amount.Currency is { } iso && FindCurrencyMark(content, line.Start, line.End, iso) is { } mark)
                return new Found(iso, "currency", confidence, mark.Start, mark.End, -1);
        return null;
    }

    private static Found? MostFrequentCurrency(string content)
    {
        var counts = new Dictionary<string, (int Count, int Start, int End)>();
        for (var i = 0; i < content.Length; i++)
        {
            string? iso = Currencies.FromSymbol(content[i]);
            var length = 1;
            if (iso is null && i + 3 <= content.Length && char.IsAsciiLetterUpper(content[i])
                && (i == 0 || !char.IsLetter(content[i - 1])) && (i + 3 == content.Length || !char.IsLetter(content[i + 3])))
            {
                iso = Currencies.FromCode(content.AsSpan(i, 3));
                length = 3;
            }

            if (iso is null) continue;
            counts[iso] = counts.TryGetValue(iso, out var seen) ? (seen.Count + 1, seen.Start, seen.End) : (1, i, i + length);
        }

        if (counts.Count == 0) return null;
        var (best, stats) = counts.MaxBy(c => c.Value.Count);
        return new Found(best, "currency", counts.Count == 1 ? 0.8 : 0.6, stats.Start, stats.End, -1);
    }

    private static (int Start, int End)? FindCurrencyMark(string content, int start, int end, string iso)
    {
        for (var i = start; i < end; i++)
        {
            if (Currencies.FromSymbol(content[i]) == iso) return (i, i + 1);
            if (i + 3 <= end && content.AsSpan(i, 3).SequenceEqual(iso)) return (i, i + 3);
        }

        return null;
    }

    private static Found? FirstUnlabelledDate(string content, Found? due, bool monthFirst)
    {
        foreach (var date in Dates.Find(content, monthFirst))
            if (due is null || date.Start != due.Start)
                return new Found(Dates.Format(date.Value), "date", 0.4, date.Start, date.Start + date.Length, -1);
        return null;
    }

    /// <summary>
    /// Without a label the issuer is usually who heads the page: a bold name in Markdown, or the
    /// first line that is not the document's own title, more surely so when it ends in a legal form.
    /// </summary>
    private static Found? GuessIssuer(string content, List<TextLine> lines)
    {
        Found? first = null;
        var seen = 0;
        foreach (var line in lines)
        {
            var span = content.AsSpan(line.Start, line.End - line.Start);
            if (span.IsWhiteSpace()) continue;
            if (++seen > 8) break;

            var start = line.Start;
            var end = line.End;
            while (start < end && (char.IsWhiteSpace(content[start]) || content[start] == '*')) start++;
            while (end > start && (char.IsWhiteSpace(content[end - 1]) || content[end - 1] == '*')) end--;
            var text = content.AsSpan(start, end - start);
            var bold = span.TrimStart().StartsWith("**") && span.TrimEnd().EndsWith("**");

            if (text.IsEmpty || text[0] is '#' or '|' || text.Contains(':') || text.Length > 80 || IsDocumentTitle(text)
                || !text.ContainsAnyInRange('A', 'z') && !text.ContainsAnyInRange('À', 'ž'))
                continue;

            var candidate = new Found(content[start..end], "text", 0.5, start, end, -1);
            if (bold) return candidate with { Confidence = 0.7 };
            if (LegalForm().IsMatch(content, start)) return candidate with { Confidence = 0.75 };
            first ??= candidate;
        }

        return first;
    }

    private static bool IsDocumentTitle(ReadOnlySpan<char> line) =>
        DocumentTitle().IsMatch(line);

    [GeneratedRegex(@"^(?:tax\s+)?(?:invoice|rechnung|facture|credit\s+note|gutschrift|receipt|quittung|reçu|avoir)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DocumentTitle();

    /// <summary>Credit notes are stored negative (money flowing back), whether or not they print the sign.</summary>
    private static void MakeNegative(Dictionary<string, Found> values)
    {
        foreach (var name in (string[])[FieldNames.Net, FieldNames.Tax, FieldNames.Total])
            if (values.TryGetValue(name, out var found) && Parse(found.Value) > 0)
                values[name] = found with { Value = Amounts.Format(-Parse(found.Value)) };
    }

    private static void CheckSums(Dictionary<string, Found> values, List<string> warnings)
    {
        if (!values.TryGetValue(FieldNames.Total, out var total) || !values.TryGetValue(FieldNames.Net, out var net)) return;
        var tax = values.TryGetValue(FieldNames.Tax, out var t) ? Parse(t.Value) : 0m;
        var sum = Parse(net.Value) + tax;
        if (Math.Abs(sum - Parse(total.Value)) <= Tolerance) return;

        warnings.Add($"Net {net.Value} plus tax {Amounts.Format(tax)} is {Amounts.Format(sum)}, not the total {total.Value}; please check the amounts.");
        values[FieldNames.Total] = total with { Confidence = total.Confidence * 0.6 };
    }

    private static decimal Parse(string invariant) => decimal.Parse(invariant, System.Globalization.CultureInfo.InvariantCulture);
}
