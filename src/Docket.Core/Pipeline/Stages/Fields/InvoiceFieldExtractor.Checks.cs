namespace Docket.Core.Pipeline.Stages.Fields;

public static partial class InvoiceFieldExtractor
{
    /// <summary>Kept beside the fields (never returned): the subtotal printed before discounts or shipping, which line items add up to.</summary>
    private const string Subtotal = "~subtotal";

    /// <summary>
    /// Net, tax and total as the documents mean them: the net is the taxable amount (after discounts
    /// and shipping), the tax is 0 where the document says none is charged, a tax-inclusive receipt's
    /// net is what is left of the total after the tax it contains, and a document without tax is net
    /// of its total. Values worked out here are less sure than printed ones and have no source.
    /// </summary>
    private static void Reconcile(Document doc, Dictionary<string, Found> values)
    {
        if (doc.Json) ReadMinorUnits(doc, values);

        var total = values.GetValueOrDefault(FieldNames.Total);
        var net = values.GetValueOrDefault(FieldNames.Net);
        var tax = values.GetValueOrDefault(FieldNames.Tax);
        if (tax is null && doc.Ranges.Select(r => NoTaxCharged().Match(doc.Content, r.Start, r.End - r.Start)).FirstOrDefault(m => m.Success) is { } exempt)
            values[FieldNames.Tax] = tax = new Found(Amounts.Format(0), "amount", 0.8, exempt.Index, exempt.Index + exempt.Length, -1);

        if (total is null && net is not null && !net.IsSubtotal)
        {
            values[FieldNames.Total] = new Found(Amounts.Format(net.Amount + (tax?.Amount ?? 0)), "amount", 0.5, -1, -1, net.Line);
            return;
        }

        if (total is null) return;
        var taxAmount = tax?.Amount ?? 0;
        if (net is null || (net.IsSubtotal && Math.Abs(net.Amount + taxAmount - total.Amount) > Tolerance && AdjustedBetween(doc, net.Line, total.Line)))
        {
            values[FieldNames.Net] = taxAmount == 0
                ? total with { Confidence = 0.6 }
                : new Found(Amounts.Format(total.Amount - taxAmount), "amount", 0.6, -1, -1, total.Line);
        }
    }

    /// <summary>A discount, shipping or fee line between the subtotal and the total: why the two differ by more than the tax.</summary>
    private static bool AdjustedBetween(Document doc, int subtotalLine, int totalLine)
    {
        for (var i = subtotalLine + 1; i < totalLine && i < doc.Lines.Count; i++)
        {
            var line = doc.Lines[i];
            if (Adjustment().IsMatch(doc.Search.AsSpan(line.Start, line.End - line.Start)) && ReadAmount(doc.Content, line.Start, line.End) is not null)
                return true;
        }

        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:discount|rebate|rabatt|nachlass|skonto|remise|ristourne|escompte|shipping|delivery|freight|postage|handling|carriage|versand(?:kosten)?|fracht|porto|liefer(?:ung|kosten)|verpackung|frais|port|livraison|emballage|fee|surcharge|zuschlag|gebühr|less|korting|verzendkosten|verzending|descuento|envío|portes|sconto|spedizione|trasporto|desconto|rabat|wysyłka|dostawa|frakt|fraktavgift|fragt|forsendelse|levering|alennus|toimitus|rahti|toimituskulut)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex Adjustment();

    /// <summary>
    /// Payment APIs (and the JSON they export) count money in minor units and time in Unix seconds:
    /// when a JSON document dates itself that way and every amount is a whole number, 97503 is 975.03.
    /// </summary>
    private static void ReadMinorUnits(Document doc, Dictionary<string, Found> values)
    {
        var epochDated = values.TryGetValue(FieldNames.Date, out var date) && date.HasSource
            && doc.Content.AsSpan(date.Start, date.End - date.Start) is var raw && raw.Length >= 10 && !raw.ContainsAnyExceptInRange('0', '9');
        var currency = values.GetValueOrDefault(FieldNames.Currency)?.Value;
        if (!epochDated || currency is null || Currencies.MinorDigits(currency) == 0) return;

        var amounts = (string[])[FieldNames.Net, FieldNames.Tax, FieldNames.Total];
        var found = amounts.Where(values.ContainsKey).Select(name => values[name]).ToList();
        if (found.Count == 0 || found.Any(f => !f.HasSource || doc.Content.AsSpan(f.Start, f.End - f.Start).ContainsAny('.', ','))) return;

        var scale = (decimal)Math.Pow(10, Currencies.MinorDigits(currency));
        foreach (var name in amounts.Where(values.ContainsKey))
            values[name] = values[name] with { Value = Amounts.Format(values[name].Amount / scale), Confidence = values[name].Confidence * 0.9 };
    }

    /// <summary>
    /// The checks a bookkeeper makes. Each failure is a warning on the result and lowers the
    /// confidence of the values involved, so the review screen points at them.
    /// </summary>
    private static void Check(Dictionary<string, Found> values, IReadOnlyList<LineItem> items, string category, List<string> warnings)
    {
        Lower(values, warnings, CheckSums(values), 0.6, FieldNames.Net, FieldNames.Tax, FieldNames.Total);
        Lower(values, warnings, CheckLineItems(values, items), 0.8, FieldNames.Net);
        Lower(values, warnings, CheckDate(values), 0.6, FieldNames.Date);
        Lower(values, warnings, CheckDueDate(values, category), 0.6, FieldNames.DueDate);
        if (values.TryGetValue(FieldNames.Currency, out var currency) && !Currencies.IsIsoCode(currency.Value))
            Lower(values, warnings, $"The currency {currency.Value} is not an ISO 4217 code.", 0.5, FieldNames.Currency);
        values.Remove(Subtotal);
    }

    private static void Lower(Dictionary<string, Found> values, List<string> warnings, string? warning, double factor, params string[] fields)
    {
        if (warning is null) return;
        warnings.Add(warning);
        foreach (var name in fields)
            if (values.TryGetValue(name, out var found))
                values[name] = found with { Confidence = found.Confidence * factor };
    }

    private static string? CheckSums(Dictionary<string, Found> values)
    {
        if (!values.TryGetValue(FieldNames.Total, out var total) || !values.TryGetValue(FieldNames.Net, out var net)) return null;
        var tax = values.GetValueOrDefault(FieldNames.Tax)?.Amount ?? 0m;
        var sum = net.Amount + tax;
        return Math.Abs(sum - total.Amount) <= Tolerance
            ? null
            : $"Net {net.Value} plus tax {Amounts.Format(tax)} is {Amounts.Format(sum)}, not the total {total.Value}; please check the amounts.";
    }

    /// <summary>
    /// Line items add up to the net, or to the subtotal before discounts, or (on tax-inclusive
    /// receipts) to the total. Rounded line amounts may each be half a cent off.
    /// </summary>
    private static string? CheckLineItems(Dictionary<string, Found> values, IReadOnlyList<LineItem> items)
    {
        if (items.Count == 0 || items.Any(i => i.Amount is null) || !values.TryGetValue(FieldNames.Net, out var net)) return null;
        var sum = items.Sum(i => i.Amount!.Value);
        var tolerance = Math.Max(Tolerance, 0.005m * items.Count);
        var targets = new[] { net, values.GetValueOrDefault(Subtotal), values.GetValueOrDefault(FieldNames.Total) };
        if (targets.Any(t => t is not null && Math.Abs(Math.Abs(sum) - Math.Abs(t.Amount)) <= tolerance)) return null;
        return $"The line items add up to {Amounts.Format(sum)}, not the net {net.Value}; please check the line items and the net.";
    }

    private static string? CheckDate(Dictionary<string, Found> values)
    {
        if (!values.TryGetValue(FieldNames.Date, out var found)) return null;
        var date = DateOnly.Parse(found.Value, System.Globalization.CultureInfo.InvariantCulture);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        if (date > today.AddYears(1)) return $"The invoice date {found.Value} lies more than a year in the future.";
        if (date < new DateOnly(1990, 1, 1)) return $"The invoice date {found.Value} lies implausibly far in the past.";
        return null;
    }

    private static string? CheckDueDate(Dictionary<string, Found> values, string category)
    {
        if (!values.TryGetValue(FieldNames.DueDate, out var found)) return null;
        if (category == Categories.Receipt) return "A receipt is paid already but shows a due date; please check it.";
        if (!values.TryGetValue(FieldNames.Date, out var issued)) return null;
        var due = DateOnly.Parse(found.Value, System.Globalization.CultureInfo.InvariantCulture);
        var date = DateOnly.Parse(issued.Value, System.Globalization.CultureInfo.InvariantCulture);
        if (due < date) return $"The due date {found.Value} comes before the invoice date {issued.Value}.";
        if (due > date.AddYears(2)) return $"The due date {found.Value} lies more than two years after the invoice date {issued.Value}.";
        return null;
    }
}
