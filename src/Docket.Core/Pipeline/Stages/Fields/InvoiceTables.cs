using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>A cell of a table row, with its offsets in the text.</summary>
public readonly record struct Cell(int Start, int End)
{
    public string Text(string text) => text[Start..End];
}

/// <summary>
/// Tables in extracted text: Markdown and rendered CSV rows ("a | b | c") and plain-text columns
/// laid out with runs of spaces. Used for line items, and for CSV exports that hold one row per line item.
/// </summary>
public static partial class InvoiceTables
{
    public enum Column { Description, Quantity, UnitPrice, InvoiceNumber, Date, DueDate, Issuer, Currency, Net, Tax, Total }

    /// <summary>Splits a line into cells at '|' when it has them, else at runs of two or more spaces.</summary>
    public static List<Cell> SplitCells(string text, TextLine line)
    {
        var cells = new List<Cell>(8);
        var span = text.AsSpan(line.Start, line.End - line.Start);
        var piped = span.Contains('|');
        var cellStart = 0;
        for (var i = 0; i <= span.Length; i++)
        {
            var boundary = i == span.Length
                || (piped ? span[i] == '|' : span[i] == ' ' && i + 1 < span.Length && span[i + 1] == ' ');
            if (!boundary) continue;
            AddTrimmed(cells, text, line.Start + cellStart, line.Start + i);
            if (!piped) while (i + 1 < span.Length && span[i + 1] == ' ') i++;
            cellStart = i + 1;
        }

        return cells;
    }

    private static void AddTrimmed(List<Cell> cells, string text, int start, int end)
    {
        while (start < end && (char.IsWhiteSpace(text[start]) || text[start] == '*')) start++;
        while (end > start && (char.IsWhiteSpace(text[end - 1]) || text[end - 1] == '*')) end--;
        if (end > start) cells.Add(new Cell(start, end));
    }

    /// <summary>What a header cell names, or null. Rates ("VAT rate", "MwSt-Satz") are not amounts.</summary>
    public static Column? ClassifyHeader(ReadOnlySpan<char> header)
    {
        var name = header.ToString().Replace('_', ' ').Replace('-', ' ').Trim().ToLowerInvariant();
        if (RateHeader().IsMatch(name)) return null;
        foreach (var (column, pattern) in HeaderPatterns)
            if (pattern.IsMatch(name)) return column;
        return null;
    }

    private static readonly (Column, Regex)[] HeaderPatterns =
    [
        (Column.InvoiceNumber, new(@"^(?:invoice|inv|rechnungs?|facture|credit note|beleg)\s*(?:no\.?|number|nr\.?|nummer|n°|#|id)$|^(?:n°|numéro) (?:de )?facture$")),
        (Column.DueDate, new(@"^(?:due date|due|fällig(?:keit|am)?|date d.échéance|échéance|payment due)$")),
        (Column.Date, new(@"^(?:(?:invoice |rechnungs|issue )?date|(?:rechnungs)?datum|date de facture|date)$")),
        (Column.Issuer, new(@"^(?:supplier|vendor|seller|issuer|lieferant|verkäufer|fournisseur|vendeur)(?: name)?$")),
        (Column.Currency, new(@"^(?:currency|währung|devise)$")),
        (Column.Description, new(@"^(?:description|item|items|article|product|service|bezeichnung|beschreibung|artikel|leistung|désignation|libellé|produit)$")),
        (Column.Quantity, new(@"^(?:qty|quantity|menge|anzahl|qté|quantité|units?)$")),
        (Column.UnitPrice, new(@"^(?:unit price|price|rate|einzelpreis|preis|e\.?\s?preis|pu(?: ht)?|prix unitaire(?: ht)?)$")),
        (Column.Net, new(@"^(?:net|net amount|netto|nettobetrag|montant ht|total ht)$")),
        (Column.Tax, new(@"^(?:vat|vat amount|tax|tax amount|mwst|ust|tva|gst|montant tva)$")),
        (Column.Total, new(@"^(?:gross|gross amount|brutto|bruttobetrag|total|line total|amount|gesamt|betrag|montant|montant ttc|total ttc)$")),
    ];

    [GeneratedRegex(@"(?:rate|satz|taux|%)")]
    private static partial Regex RateHeader();

    /// <summary>
    /// Line items of the first table whose header names a description and an amount column, and of
    /// the tables under the same header further on (a long invoice repeats it on every page). Rows
    /// run until a blank line or a line that no longer splits into the header's cells.
    /// </summary>
    public static List<LineItem> ReadLineItems(string text, List<TextLine> lines)
    {
        var items = new List<LineItem>();
        Column?[]? firstHeader = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var header = SplitCells(text, lines[i]);
            if (header.Count < 2) continue;
            var columns = header.Select(c => ClassifyHeader(text.AsSpan(c.Start, c.End - c.Start))).ToArray();
            var description = Array.IndexOf(columns, Column.Description);
            var amount = Array.IndexOf(columns, Column.Total) is var total and >= 0 ? total : Array.IndexOf(columns, Column.Net);
            if (description < 0 || amount < 0 || (firstHeader is not null && !columns.SequenceEqual(firstHeader))) continue;

            var rows = 0;
            var r = i + 1;
            for (; r < lines.Count; r++)
            {
                var line = text.AsSpan(lines[r].Start, lines[r].End - lines[r].Start);
                if (line.IsWhiteSpace()) break;
                if (!line.ContainsAnyExcept("-|:= ")) { if (rows > 0) break; continue; }
                var cells = SplitCells(text, lines[r]);
                if (cells.Count != header.Count) break;
                rows++;
                items.Add(new LineItem(
                    cells[description].Text(text),
                    Number(text, cells, Array.IndexOf(columns, Column.Quantity)),
                    Number(text, cells, Array.IndexOf(columns, Column.UnitPrice)),
                    Number(text, cells, amount)));
            }

            if (rows > 0) firstHeader ??= columns;
            i = r - 1;
        }

        return items;
    }

    public static decimal? Number(string text, List<Cell> cells, int index) =>
        index >= 0 && index < cells.Count ? Amounts.FirstNumber(text, cells[index].Start, cells[index].End)?.Value : null;
}
