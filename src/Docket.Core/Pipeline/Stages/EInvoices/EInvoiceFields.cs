using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Pipeline.Stages.EInvoices;

/// <summary>
/// The fields of an embedded e-invoice, with full confidence: the XML states them, nothing was
/// guessed. Each field points at the place in the extracted text where its value is printed, in
/// whatever form the PDF prints it ("02.02.2023" for 2023-02-02, "€ 7.184,49" for 7184.49), so the
/// review screen can show it; a value the text does not show has no source.
/// </summary>
public static class EInvoiceFields
{
    public static ExtractedFields From(EInvoice invoice, ExtractedText text)
    {
        var printed = new PrintedValues(text.Content);
        var values = new Dictionary<string, ExtractedField>();

        void Put(string name, string? value, string type, (int Start, int End)? at)
        {
            if (value is null) return;
            var source = at is var (start, end) ? text.SourceOf(start, end) : null;
            values[name] = new ExtractedField(value, type, 1.0, source);
        }

        Put(FieldNames.Issuer, invoice.Issuer, "text", printed.Text(invoice.Issuer));
        Put(FieldNames.InvoiceNumber, invoice.InvoiceNumber, "text", printed.Text(invoice.InvoiceNumber));
        Put(FieldNames.Date, Format(invoice.Date), "date", printed.Date(invoice.Date));
        Put(FieldNames.DueDate, Format(invoice.DueDate), "date", printed.Date(invoice.DueDate));
        Put(FieldNames.Net, Format(invoice.Net), "amount", printed.Amount(invoice.Net));
        Put(FieldNames.Tax, Format(invoice.Tax), "amount", printed.Amount(invoice.Tax));
        Put(FieldNames.Total, Format(invoice.Total), "amount", printed.Amount(invoice.Total));
        Put(FieldNames.Currency, invoice.Currency, "currency", printed.Currency(invoice.Currency));

        var warnings = invoice.Warnings.ToList();
        // A hybrid invoice is two documents in one file; when the XML's total is nowhere in the
        // printed text, the two may have been made apart (or tampered with), and a person should look.
        if (values.TryGetValue(FieldNames.Total, out var total) && total.Source is null)
            warnings.Add($"The e-invoice's total {total.Value} is not printed in the document's text; check that the attached XML belongs to it.");

        return new ExtractedFields(values, invoice.LineItems, warnings) { Method = invoice.Method };
    }

    private static string? Format(DateOnly? date) => date is { } d ? Dates.Format(d) : null;

    private static string? Format(decimal? amount) => amount is { } a ? Amounts.Format(a) : null;

    /// <summary>The dates and numbers of the text, each read once, however many fields look for them.</summary>
    private sealed class PrintedValues(string content)
    {
        private Dictionary<DateOnly, (int, int)>? _dates;
        // Keyed by the invariant two-decimal form, so 7184.49 and 7184.490 are the same amount.
        private Dictionary<string, (int, int)>? _money;
        private Dictionary<string, (int, int)>? _numbers;

        public (int Start, int End)? Text(string? value)
        {
            if (string.IsNullOrEmpty(value)) return null;
            var at = content.IndexOf(value, StringComparison.Ordinal);
            if (at < 0) at = content.IndexOf(value, StringComparison.OrdinalIgnoreCase);
            return at < 0 ? null : (at, at + value.Length);
        }

        /// <summary>The first place the date is printed. "03/05/2024" is read both ways; the XML says which reading is meant.</summary>
        public (int Start, int End)? Date(DateOnly? value)
        {
            if (value is not { } date) return null;
            if (_dates is null)
            {
                _dates = [];
                foreach (var monthFirst in (bool[])[false, true])
                    foreach (var match in Dates.Find(content, monthFirst))
                        if (!_dates.TryGetValue(match.Value, out var seen) || seen.Item1 > match.Start)
                            _dates[match.Value] = (match.Start, match.Start + match.Length);
            }

            return _dates.TryGetValue(date, out var at) ? at : null;
        }

        /// <summary>
        /// The last place the amount is printed: totals stand below the lines they sum. Printed
        /// money (cents or a currency) is preferred to a bare number; a credit note may print its
        /// amounts with or without a sign.
        /// </summary>
        public (int Start, int End)? Amount(decimal? value)
        {
            if (value is not { } amount) return null;
            if (_money is null)
            {
                _money = [];
                _numbers = [];
                foreach (var match in Amounts.FindNumbers(content))
                {
                    var at = (match.Start, match.Start + match.Length);
                    var key = Amounts.Format(Math.Abs(match.Value));
                    _numbers[key] = at;
                    if (match.HasDecimals || match.Currency is not null) _money[key] = at;
                }
            }

            var wanted = Amounts.Format(Math.Abs(amount));
            return _money.TryGetValue(wanted, out var money) ? money : _numbers!.TryGetValue(wanted, out var number) ? number : null;
        }

        /// <summary>The currency's code where the text prints it, else its symbol.</summary>
        public (int Start, int End)? Currency(string? iso)
        {
            if (iso is null) return null;
            for (var at = content.IndexOf(iso, StringComparison.Ordinal); at >= 0; at = content.IndexOf(iso, at + 1, StringComparison.Ordinal))
                if ((at == 0 || !char.IsLetter(content[at - 1])) && (at + iso.Length == content.Length || !char.IsLetter(content[at + iso.Length])))
                    return (at, at + iso.Length);

            for (var at = 0; at < content.Length; at++)
                if (Currencies.FromSymbol(content[at]) == iso)
                    return (at, at + 1);
            return null;
        }
    }
}
