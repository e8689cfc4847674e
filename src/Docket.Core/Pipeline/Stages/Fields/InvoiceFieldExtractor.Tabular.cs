using Docket.Core.Pipeline.Stages.Extraction;
using static Docket.Core.Pipeline.Stages.Fields.InvoiceTables;

namespace Docket.Core.Pipeline.Stages.Fields;

public static partial class InvoiceFieldExtractor
{
    /// <summary>
    /// A CSV export with one row per line item and the invoice's own values repeated on every row
    /// (the usual accounting export). Such a file may hold several invoices; the fields are the
    /// first invoice's, and a warning says so.
    /// </summary>
    private static partial class TabularInvoice
    {
        [System.Text.RegularExpressions.GeneratedRegex(@"^(?:summe|gesamt(?:summe|betrag)?|total|grand total|invoice total|total ttc)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
        private static partial System.Text.RegularExpressions.Regex TotalsRow();

        public static (Dictionary<string, Found> Values, List<LineItem> Items)? Read(
            string content, List<TextLine> lines, List<string> warnings)
        {
            if (lines.Count < 2) return null;
            var header = SplitRenderedCsv(content, lines[0]);
            var columns = header.Select(c => ClassifyHeader(content.AsSpan(c.Start, c.End - c.Start))).ToArray();
            var number = Array.IndexOf(columns, Column.InvoiceNumber);
            if (number < 0) return null;

            var rows = new List<List<Cell>>();
            for (var i = 1; i < lines.Count; i++)
            {
                var cells = SplitRenderedCsv(content, lines[i]);
                if (cells.Count == header.Count) rows.Add(cells);
            }

            if (rows.Count == 0) return null;

            var firstNumber = rows[0][number].Text(content);
            var invoices = rows.Select(r => r[number].Text(content)).Distinct().Count();
            if (invoices > 1)
                warnings.Add($"The file holds {invoices} invoices; the fields and line items are those of the first, {firstNumber}.");
            var rowsOfFirst = rows.Where(r => r[number].Text(content) == firstNumber).ToList();

            // Some exports close an invoice with its own sum row ("Summe", "Total"): those are its
            // amounts as printed, and not a line item.
            var description = Array.IndexOf(columns, Column.Description);
            var totalsRow = description < 0 ? null : rowsOfFirst.FindLast(r => TotalsRow().IsMatch(r[description].Text(content)));
            if (totalsRow is not null) rowsOfFirst.Remove(totalsRow);

            var values = new Dictionary<string, Found>();
            var first = rows[0];
            Cell? CellOf(Column column) => Array.IndexOf(columns, column) is var i and >= 0 && first[i].End > first[i].Start ? first[i] : null;

            values[FieldNames.InvoiceNumber] = new Found(firstNumber, "text", 0.9, first[number].Start, first[number].End, 0);
            if (CellOf(Column.Issuer) is { } issuer)
                values[FieldNames.Issuer] = new Found(issuer.Text(content), "text", 0.85, issuer.Start, issuer.End, 0);
            if (CellOf(Column.Currency) is { } currencyCell && Currencies.FromLabelledValue(currencyCell.Text(content)) is { } iso
                && WhichKroner(content, new Found(iso, "currency", 0.9, currencyCell.Start, currencyCell.End, 0)) is { } currency)
                values[FieldNames.Currency] = currency;

            var monthFirst = MonthFirst(values);
            foreach (var (column, field) in (ReadOnlySpan<(Column, string)>)[(Column.Date, FieldNames.Date), (Column.DueDate, FieldNames.DueDate)])
                if (CellOf(column) is { } cell && Dates.Find(content, monthFirst, cell.Start, cell.End).FirstOrDefault() is { Length: > 0 } date)
                    values[field] = new Found(Dates.Format(date.Value), "date", 0.9, date.Start, date.Start + date.Length, 0);

            foreach (var (column, field) in (ReadOnlySpan<(Column, string)>)[(Column.Net, FieldNames.Net), (Column.Tax, FieldNames.Tax), (Column.Total, FieldNames.Total)])
                if (Sum(content, totalsRow is null ? rowsOfFirst : [totalsRow], Array.IndexOf(columns, column)) is { } sum)
                    values[field] = sum with { Type = "amount" };

            var amount = Array.IndexOf(columns, Column.Net) is var net and >= 0 ? net : Array.IndexOf(columns, Column.Total);
            var items = description < 0
                ? []
                : rowsOfFirst.Select(r => new LineItem(
                    r[description].Text(content),
                    Number(content, r, Array.IndexOf(columns, Column.Quantity)),
                    Number(content, r, Array.IndexOf(columns, Column.UnitPrice)),
                    Number(content, r, amount))).ToList();

            return (values, items);
        }

        /// <summary>A column's amounts over the invoice's rows; a sum of several rows has no single place in the text.</summary>
        private static Found? Sum(string content, List<List<Cell>> rows, int column)
        {
            if (column < 0) return null;
            decimal total = 0;
            foreach (var row in rows)
            {
                if (Number(content, row, column) is not { } value) return null;
                total += value;
            }

            return rows.Count == 1
                ? new Found(Amounts.Format(total), "amount", 0.9, rows[0][column].Start, rows[0][column].End, 0)
                : new Found(Amounts.Format(total), "amount", 0.8, -1, -1, 0);
        }

        /// <summary>Cells of a line the CSV extractor rendered, empty ones kept so columns stay aligned.</summary>
        private static List<Cell> SplitRenderedCsv(string content, TextLine line)
        {
            var cells = new List<Cell>();
            var start = line.Start;
            while (true)
            {
                var separator = content.IndexOf(CsvTextExtractor.CellSeparator, start, line.End - start, StringComparison.Ordinal);
                var end = separator < 0 ? line.End : separator;
                cells.Add(new Cell(start, end));
                if (separator < 0) return cells;
                start = separator + CsvTextExtractor.CellSeparator.Length;
            }
        }
    }
}
