using System.Globalization;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields.Ranking;

/// <summary>A value that could be a field's, where it was read, and how it looks on the page.</summary>
public sealed record FieldCandidate(string Value, string Type, int Start, int End, float[] Features);

/// <summary>
/// Every plausible value of every field, each described by features that hold across layouts and
/// languages: the labels left of it and above it (<see cref="LabelLexicon"/>), where it sits on the page,
/// its form, how it relates to the document's other values (net + tax = total, the earliest date), and
/// whether the rules chose it. The scorer learns from the labelled sets what these say; nothing here
/// names a vendor or a value.
/// </summary>
public static partial class FieldCandidates
{
    /// <summary>What the rules read, by field name, in the normalised form of <see cref="ExtractedField.Value"/>.</summary>
    public sealed record RuleValues(IReadOnlyDictionary<string, string> Values)
    {
        public string? this[string field] => Values.GetValueOrDefault(field);
    }

    public enum Kind
    {
        Amount,
        Date,
        Reference,
        Name,
    }

    public static Kind KindOf(string field) => field switch
    {
        FieldNames.Total => Kind.Amount,
        FieldNames.Date => Kind.Date,
        FieldNames.InvoiceNumber => Kind.Reference,
        FieldNames.Issuer => Kind.Name,
        _ => throw new ArgumentOutOfRangeException(nameof(field), field, "No candidates are made for this field."),
    };

    /// <summary>
    /// The fields the scorer chooses. The others stay with the rules: a currency is settled by its code or
    /// symbol, and net and tax are often worked out rather than printed (two VAT lines added up, a
    /// tax-inclusive receipt's net), which no single printed candidate can be; the due date follows its label.
    /// </summary>
    public static IReadOnlyList<string> Fields { get; } = [FieldNames.Issuer, FieldNames.InvoiceNumber, FieldNames.Date, FieldNames.Total];

    public static IReadOnlyList<string> FeatureNames(Kind kind) => Names[kind];

    private static readonly Dictionary<Kind, string[]> Names = new()
    {
        [Kind.Amount] = [.. Common(), "rule_total", "rule_net", "rule_tax", "rank_desc", "is_max", "same_value_count", "is_sum_of_two",
            "is_part_of_sum", "is_rate_of_other", "has_rate_on_line", "rightmost_on_line", "amounts_on_line", "has_currency", "has_decimals",
            "magnitude", "amounts_after", "negative"],
        [Kind.Date] = [.. Common(), "rule_date", "rule_due", "order", "date_count", "is_earliest", "is_latest", "days_after_earliest",
            "days_from_rule_date", "same_value_count", "named_month", "time_on_line", "dates_on_line"],
        [Kind.Reference] = [.. Common(), "rule_number", "length", "digit_share", "letters", "has_dash", "has_slash", "all_digits",
            "is_date", "looks_like_amount", "same_value_count", "first_in_cell", "cell_has_colon_before", "words_in_cell"],
        [Kind.Name] = [.. Common(), "height_ratio", "tallest", "rule_issuer", "length", "words", "upper_share", "digit_share", "legal_form", "label_kinds",
            "is_title", "contact", "buyer_above_block", "seller_above_block", "same_text_count", "in_domain", "alone_on_line",
            "cells_on_line", "address_below", "first_nonblank", "ends_with_colon", "has_email_or_url", "two_lines", "without_registration"],
    };

    private static IEnumerable<string> Common()
    {
        yield return "page";
        yield return "last_page";
        yield return "rel_y";
        yield return "rank";
        yield return "rel_x";
        yield return "label_distance";
        yield return "above_rows";
        foreach (var kind in Enum.GetValues<LabelKind>()) yield return "left_" + kind.ToString().ToLowerInvariant();
        foreach (var kind in Enum.GetValues<LabelKind>()) yield return "above_" + kind.ToString().ToLowerInvariant();
    }

    /// <summary>The candidates of every field of <see cref="Fields"/>.</summary>
    /// <param name="lines">The lines to read: the whole text, or the head and the tail of a long one.</param>
    /// <param name="geometry">Where the text's words stand, when it has pages: the size of a candidate's type is read from it.</param>
    public static Dictionary<string, List<FieldCandidate>> For(string content, IReadOnlyList<TextLine> lines, IReadOnlyList<int> pageStarts,
        TextGeometry? geometry, RuleValues rules, bool monthFirst)
    {
        var grid = new PageGrid(content, lines, pageStarts) { Type = TypeSizes.Of(geometry) };
        var amounts = AmountCandidates(grid, rules);
        var dates = DateCandidates(grid, rules, monthFirst);
        return new Dictionary<string, List<FieldCandidate>>
        {
            [FieldNames.Total] = amounts,
            [FieldNames.Date] = dates,
            [FieldNames.InvoiceNumber] = ReferenceCandidates(grid, rules, monthFirst),
            [FieldNames.Issuer] = NameCandidates(grid, rules),
        };
    }

    private sealed class FeatureRow(int capacity)
    {
        private readonly List<float> _values = new(capacity);

        public FeatureRow Add(double value)
        {
            _values.Add((float)value);
            return this;
        }

        public FeatureRow Add(bool value) => Add(value ? 1 : 0);

        public float[] ToArray() => [.. _values];
    }

    private static FeatureRow Start(PageGrid grid, Kind kind, GridLine line, int start, int end)
    {
        var row = new FeatureRow(Names[kind].Length);
        var column = start - line.Start;
        var (left, distance) = grid.LabelsLeftOf(line, start);
        var (above, rows) = grid.LabelsAbove(line, column, column + Math.Max(1, end - start));
        row.Add(line.Page)
            .Add(line.Page == grid.PageCount)
            .Add((double)line.Row / grid.RowsOn(line.Page))
            .Add(Math.Min(line.Rank, 60))
            .Add((double)column / grid.WidthOf(line.Page))
            .Add(Math.Min(distance, 80))
            .Add(rows);
        for (var k = 0; k < LabelLexicon.KindCount; k++) row.Add((left & (1 << k)) != 0);
        for (var k = 0; k < LabelLexicon.KindCount; k++) row.Add((above & (1 << k)) != 0);
        if (kind != Kind.Name) return row;
        var (ratio, tallest) = grid.Type.Of(line.Page, start, end);
        return row.Add(ratio).Add(tallest);
    }

    private static bool SameAmount(string? rule, decimal value) =>
        rule is not null && decimal.TryParse(rule, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var r)
        && Math.Abs(Math.Abs(r) - Math.Abs(value)) < 0.005m;

    private static readonly decimal[] CommonRates = [0.05m, 0.06m, 0.07m, 0.08m, 0.09m, 0.10m, 0.12m, 0.13m, 0.14m, 0.15m, 0.16m, 0.17m, 0.18m, 0.19m, 0.20m, 0.21m, 0.22m, 0.23m, 0.24m, 0.25m, 0.255m, 0.027m, 0.077m, 0.081m];

    private static List<FieldCandidate> AmountCandidates(PageGrid grid, RuleValues rules)
    {
        var found = new List<(GridLine Line, AmountMatch Amount, bool Rightmost, int OnLine, bool Rate)>();
        foreach (var line in grid.Lines)
        {
            if (line.IsBlank) continue;
            var onLine = Amounts.FindMoney(grid.Content, line.Start, line.End).ToList();
            var rate = grid.Content.AsSpan(line.Start, line.End - line.Start).Contains('%');
            for (var i = 0; i < onLine.Count; i++) found.Add((line, onLine[i], i == onLine.Count - 1, onLine.Count, rate));
        }

        var values = found.Select(f => Math.Abs(f.Amount.Value)).ToList();
        var relations = new AmountRelations(values);
        var candidates = new List<FieldCandidate>(found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var (line, amount, rightmost, onLine, rate) = found[i];
            var value = Math.Abs(amount.Value);
            var (rank, count, sumOfTwo, partOfSum, rateOfOther) = relations.Of(value);
            var row = Start(grid, Kind.Amount, line, amount.Start, amount.Start + amount.Length)
                .Add(SameAmount(rules[FieldNames.Total], value))
                .Add(SameAmount(rules[FieldNames.Net], value))
                .Add(SameAmount(rules[FieldNames.Tax], value))
                .Add(Math.Min(rank, 30))
                .Add(rank == 0)
                .Add(Math.Min(count, 10))
                .Add(sumOfTwo)
                .Add(partOfSum)
                .Add(rateOfOther)
                .Add(rate)
                .Add(rightmost)
                .Add(Math.Min(onLine, 10))
                .Add(amount.Currency is not null)
                .Add(amount.HasDecimals)
                .Add(value > 0 ? Math.Log10((double)value) : -1)
                .Add(Math.Min(found.Count - i - 1, 50))
                .Add(amount.Value < 0);
            candidates.Add(new FieldCandidate(Amounts.Format(value), "amount", amount.Start, amount.Start + amount.Length, row.ToArray()));
        }

        return candidates;
    }

    /// <summary>
    /// How each amount of a document stands to the others, worked out once per distinct amount: an itemised page
    /// repeats the same prices, and comparing every amount with every other one and every VAT rate cost more
    /// than everything else the scorer does on such a page.
    /// </summary>
    private sealed class AmountRelations
    {
        private readonly decimal[] _ascending;
        private readonly double[] _approximate;
        /// <summary>The amounts in ten-thousandths: sums of money compared as integers, not as decimals (ten times slower here).</summary>
        private readonly long[] _units;
        private readonly HashSet<long> _set;
        private readonly Dictionary<decimal, int> _counts;
        private readonly Dictionary<decimal, (int, int, bool, bool, bool)> _known = [];

        public AmountRelations(List<decimal> values)
        {
            _ascending = [.. values.Distinct().Order()];
            _approximate = [.. _ascending.Select(a => (double)a)];
            _units = [.. _ascending.Select(Units)];
            _set = [.. _units];
            _counts = values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        }

        private static long Units(decimal amount) => (long)Math.Round(Math.Min(amount, 1e14m) * 10_000m);

        /// <summary>
        /// Its place among the distinct amounts from the largest (0 for the largest); how often it is printed; whether it
        /// is the sum of two others, one of two that add up to another, or a common VAT rate of another (within a cent).
        /// </summary>
        public (int Rank, int Count, bool SumOfTwo, bool PartOfSum, bool RateOfOther) Of(decimal value)
        {
            if (_known.TryGetValue(value, out var known)) return known;
            var index = Array.BinarySearch(_ascending, value);
            var units = _units[index];
            var sumOfTwo = false;
            var partOfSum = false;
            foreach (var a in _units)
            {
                if (a < units && _set.Contains(units - a)) sumOfTwo = true;
                if (a != units && _set.Contains(a + units)) partOfSum = true;
                if (sumOfTwo && partOfSum) break;
            }
            var rateOfOther = false;
            foreach (var rate in CommonRates)
                if (IsRateOf(value, rate)) { rateOfOther = true; break; }
            return _known[value] = (_ascending.Length - 1 - index, _counts[value], sumOfTwo, partOfSum, rateOfOther);
        }

        /// <summary>Whether some other amount a has |a × rate - value| within a cent: a lies near value / rate, found by bisection.</summary>
        private bool IsRateOf(decimal value, decimal rate)
        {
            var near = (double)value / (double)rate;
            var slack = 0.012 / (double)rate + 1e-6 * near;
            var from = Array.BinarySearch(_approximate, near - slack);
            if (from < 0) from = ~from;
            for (var i = from; i < _ascending.Length && _approximate[i] <= near + slack; i++)
                if (_ascending[i] != value && Math.Abs(_ascending[i] * rate - value) <= 0.011m) return true;
            return false;
        }
    }

    [GeneratedRegex(@"\b\d{1,2}[:.]\d{2}(?::\d{2})?\b")]
    private static partial Regex TimeOfDay();

    private static List<FieldCandidate> DateCandidates(PageGrid grid, RuleValues rules, bool monthFirst)
    {
        var found = new List<(GridLine Line, DateMatch Date, int OnLine)>();
        foreach (var line in grid.Lines)
        {
            if (line.IsBlank) continue;
            var onLine = Dates.Find(grid.Content, monthFirst, line.Start, line.End).ToList();
            foreach (var date in onLine) found.Add((line, date, onLine.Count));
        }

        if (found.Count == 0) return [];
        var earliest = found.Min(f => f.Date.Value);
        var latest = found.Max(f => f.Date.Value);
        DateOnly? ruleDate = rules[FieldNames.Date] is { } d && DateOnly.TryParseExact(d, "yyyy-MM-dd", out var parsed) ? parsed : null;
        var candidates = new List<FieldCandidate>(found.Count);
        for (var i = 0; i < found.Count; i++)
        {
            var (line, date, onLine) = found[i];
            var iso = Dates.Format(date.Value);
            var raw = grid.Content.AsSpan(date.Start, date.Length);
            var time = TimeOfDay().Match(grid.Content, line.Start, line.End - line.Start);
            var row = Start(grid, Kind.Date, line, date.Start, date.Start + date.Length)
                .Add(rules[FieldNames.Date] == iso)
                .Add(rules[FieldNames.DueDate] == iso)
                .Add(Math.Min(i, 30))
                .Add(Math.Min(found.Count, 30))
                .Add(date.Value == earliest)
                .Add(date.Value == latest)
                .Add(Math.Clamp(date.Value.DayNumber - earliest.DayNumber, 0, 400))
                .Add(ruleDate is { } r ? Math.Clamp(date.Value.DayNumber - r.DayNumber, -400, 400) : 999)
                .Add(Math.Min(found.Count(f => f.Date.Value == date.Value), 10))
                .Add(raw.ContainsAnyInRange('A', 'Z') || raw.ContainsAnyInRange('a', 'z') || raw.ContainsAnyExceptInRange('\0', '\u007f'))
                .Add(time.Success && (time.Index < date.Start || time.Index >= date.Start + date.Length))
                .Add(Math.Min(onLine, 10));
            candidates.Add(new FieldCandidate(iso, "date", date.Start, date.Start + date.Length, row.ToArray()));
        }

        return candidates;
    }

    [GeneratedRegex(@"(?<![\p{L}\p{N}])[\p{L}\p{N}][\p{L}\p{N}\-/_.#]*[\p{L}\p{N}]|(?<![\p{L}\p{N}])\p{N}(?![\p{L}\p{N}])")]
    private static partial Regex ReferenceToken();

    [GeneratedRegex(@"^\d{1,3}(?:[.,' ]\d{3})*[.,]\d{2}$")]
    private static partial Regex AmountShape();

    /// <summary>An invoice number is a token with a digit: "2024-0042", "RE-E-974", "INV/24/07".</summary>
    private static List<FieldCandidate> ReferenceCandidates(PageGrid grid, RuleValues rules, bool monthFirst)
    {
        var tokens = new List<(GridLine Line, Cell Cell, Match Token, int IndexInCell)>();
        foreach (var line in grid.Lines)
        foreach (var cell in line.Cells)
        {
            var index = 0;
            for (var token = ReferenceToken().Match(grid.Content, cell.Start, cell.End - cell.Start); token.Success; token = token.NextMatch(), index++)
                if (token.Length is >= 1 and <= 30 && token.ValueSpan.ContainsAnyInRange('0', '9'))
                    tokens.Add((line, cell, token, index));
        }

        var counts = tokens.GroupBy(t => t.Token.Value).ToDictionary(g => g.Key, g => g.Count());
        var candidates = new List<FieldCandidate>(tokens.Count);
        foreach (var (line, cell, token, indexInCell) in tokens)
        {
            var text = token.Value;
            var digits = text.Count(char.IsAsciiDigit);
            var letters = text.Count(char.IsLetter);
            var before = grid.Content.AsSpan(cell.Start, token.Index - cell.Start);
            var row = Start(grid, Kind.Reference, line, token.Index, token.Index + token.Length)
                .Add(rules[FieldNames.InvoiceNumber] == text)
                .Add(Math.Min(text.Length, 30))
                .Add((double)digits / text.Length)
                .Add(Math.Min(letters, 20))
                .Add(text.Contains('-'))
                .Add(text.Contains('/'))
                .Add(digits == text.Length)
                .Add(Dates.Find(text, monthFirst).Any())
                .Add(AmountShape().IsMatch(text))
                .Add(Math.Min(counts[text], 10))
                .Add(indexInCell == 0)
                .Add(before.Contains(':') || before.Contains('#'))
                .Add(Math.Min(cell.Normalised.Count(c => c == ' ') + 1, 20));
            candidates.Add(new FieldCandidate(text, "text", token.Index, token.Index + token.Length, row.ToArray()));
        }

        return candidates;
    }

    /// <summary>How many non-blank lines from the top of a page, and from its foot, a name is looked for in.</summary>
    private const int HeadLines = 20, FootLines = 8;

    [GeneratedRegex(@"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)|(?:https?://|www\.)([\w-]+(?:\.[\w-]+)+)", RegexOptions.IgnoreCase)]
    private static partial Regex EmailOrUrl();

    /// <summary>
    /// A name is a cell of the letterhead or the footer (the shop name at the top of a receipt, a
    /// company's name over its address, the legal line at the foot), or a part of a sender line
    /// ("Acme GmbH · Hauptstr. 1 · Berlin"); the rules' own choice is always one.
    /// </summary>
    private static List<FieldCandidate> NameCandidates(PageGrid grid, RuleValues rules)
    {
        var spans = new List<(GridLine Line, int Start, int End, int CellsOnLine)>();
        var rule = rules[FieldNames.Issuer];
        foreach (var line in grid.Lines)
        {
            if (line.IsBlank) continue;
            var fromFoot = grid.NonBlankOn(line.Page) - line.Rank - 1;
            var inHead = line.Page == 1 && line.Rank < HeadLines;
            var inFoot = fromFoot < FootLines;
            var ruleHere = rule is not null && grid.Content.AsSpan(line.Start, line.End - line.Start).Contains(rule, StringComparison.OrdinalIgnoreCase);
            if (!inHead && !inFoot && !ruleHere) continue;
            foreach (var cell in line.Cells)
            {
                if (Trim(grid.Content, cell.Start, cell.End) is not { } whole) continue;
                spans.Add((line, whole.Start, whole.End, line.Cells.Count));
                var text = grid.Content.AsSpan(whole.Start, whole.End - whole.Start);
                var separator = text.IndexOfAny("·•|,");
                if (separator > 0 && Trim(grid.Content, whole.Start, whole.Start + separator) is { } first)
                    spans.Add((line, first.Start, first.End, line.Cells.Count));
            }

            if (ruleHere)
            {
                var at = grid.Content.IndexOf(rule!, line.Start, line.End - line.Start, StringComparison.OrdinalIgnoreCase);
                spans.Add((line, at, at + rule!.Length, line.Cells.Count));
            }
        }

        var single = spans.Count;
        for (var i = 0; i < single; i++)
        {
            var (line, start, end, cellsOnLine) = spans[i];
            if (line.Page == 1 && line.Rank < JoinedLines && NameBelow(grid, line, start - line.Start, end - start) is { } below)
                spans.Add((line, start, below.End, cellsOnLine));
        }

        for (var i = 0; i < spans.Count; i++)
        {
            var (line, start, end, cellsOnLine) = spans[i];
            var registration = TrailingRegistration().Match(grid.Content, start, end - start);
            if (registration.Success && registration.Index > start) spans.Add((line, start, registration.Index, cellsOnLine));
        }

        var domains = new HashSet<string>(StringComparer.Ordinal);
        // The pattern backtracks over every word; most documents have no address to find.
        var hasAddresses = MayHoldAddress(grid.Content);
        foreach (Match m in hasAddresses ? EmailOrUrl().Matches(grid.Content) : Enumerable.Empty<Match>())
        {
            var host = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            foreach (var part in host.Split('.', '-')) if (part.Length >= 3) domains.Add(LabelLexicon.Normalise(part));
        }

        var normalisedText = spans.Select(s => LabelLexicon.Normalise(grid.Content.AsSpan(s.Start, s.End - s.Start))).ToList();
        var textCounts = normalisedText.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var candidates = new List<FieldCandidate>(spans.Count);
        var seen = new HashSet<(int, int)>();
        for (var i = 0; i < spans.Count; i++)
        {
            var (line, start, end, cellsOnLine) = spans[i];
            if (!seen.Add((start, end))) continue;
            var twoLines = grid.Content.AsSpan(start, end - start).Contains('\n');
            var value = twoLines ? Joined(grid.Content, start, end) : grid.Content[start..end];
            var normalised = normalisedText[i];
            if (normalised.Length < 2 || !value.Any(char.IsLetter)) continue;
            var kinds = LabelLexicon.KindsIn(normalised);
            var words = normalised.Split(' ');
            var letters = value.Count(char.IsLetter);
            var column = start - line.Start;
            var (aboveBlock, _) = BlockLabels(grid, line, column, column + (end - start));
            var row = Start(grid, Kind.Name, line, start, end)
                .Add(string.Equals(rule, value, StringComparison.OrdinalIgnoreCase))
                .Add(Math.Min(value.Length, 80))
                .Add(Math.Min(words.Length, 12))
                .Add(letters == 0 ? 0 : (double)value.Count(char.IsUpper) / letters)
                .Add((double)value.Count(char.IsDigit) / value.Length)
                .Add(LabelLexicon.HasLegalForm(normalised))
                .Add(BitCount(kinds))
                .Add(LabelLexicon.Has(kinds, LabelKind.Title))
                .Add(LabelLexicon.Has(kinds, LabelKind.Contact))
                .Add(LabelLexicon.Has(aboveBlock, LabelKind.Buyer))
                .Add(LabelLexicon.Has(aboveBlock, LabelKind.Seller))
                .Add(Math.Min(textCounts[normalised], 10))
                .Add(words.Any(w => w.Length >= 3 && domains.Contains(w)) || domains.Contains(normalised.Replace(" ", "")))
                .Add(cellsOnLine == 1)
                .Add(Math.Min(cellsOnLine, 8))
                .Add(AddressBelow(grid, line, column))
                .Add(line.Rank == 0)
                .Add(value.EndsWith(':'))
                .Add(hasAddresses && MayHoldAddress(value) && EmailOrUrl().IsMatch(value))
                .Add(twoLines)
                .Add(i >= single && !twoLines);
            candidates.Add(new FieldCandidate(value, "text", start, end, row.ToArray()));
        }

        return candidates;
    }

    /// <summary>How many non-blank lines from the top a name may continue onto its next line ("POPULAR BOOK" over "CO. (M) SDN BHD").</summary>
    private const int JoinedLines = 8;

    /// <summary>A registration number after a name: "(1070687-M)", "(81497-P)".</summary>
    [GeneratedRegex(@"\s*\(\s*[\p{L}\p{N}-]*\d[\p{L}\p{N}-]*\s*\)\s*$")]
    private static partial Regex TrailingRegistration();

    /// <summary>The cell right below a name's first cell on the very next line, aligned with it on the left or centred under it.</summary>
    private static (int Start, int End)? NameBelow(PageGrid grid, GridLine line, int column, int width)
    {
        if (line.Index + 1 >= grid.Lines.Count) return null;
        var below = grid.Lines[line.Index + 1];
        if (below.Page != line.Page || below.IsBlank) return null;
        foreach (var cell in below.Cells)
        {
            var aligned = Math.Abs(cell.Column - column) <= 3 || Math.Abs(2 * cell.Column + cell.Width - (2 * column + width)) <= 6;
            if (aligned && Trim(grid.Content, cell.Start, cell.End) is { } trimmed) return trimmed;
        }

        return null;
    }

    /// <summary>Two lines of a name as one: the line break and the indent become one space.</summary>
    private static string Joined(string content, int start, int end)
    {
        var text = content[start..end];
        var newline = text.IndexOf('\n');
        return text[..newline].TrimEnd() + " " + text[(newline + 1)..].TrimStart();
    }

    private static bool MayHoldAddress(string text) =>
        text.Contains('@') || text.Contains("www.", StringComparison.OrdinalIgnoreCase) || text.Contains("://", StringComparison.Ordinal);

    private static int BitCount(int kinds) => System.Numerics.BitOperations.PopCount((uint)kinds);

    /// <summary>
    /// The labels heading the block a name sits in: the nearest labelled cell above in the same
    /// columns, up to the blank line that ends the block ("Bill to" over the customer's name and address).
    /// </summary>
    private static (int Kinds, int Rows) BlockLabels(PageGrid grid, GridLine line, int from, int to)
    {
        var own = 0;
        foreach (var cell in line.Cells)
            if (cell.Column + cell.Width <= from && cell.Kinds != 0) own |= cell.Kinds;
        if ((own & ((1 << (int)LabelKind.Buyer) | (1 << (int)LabelKind.Seller))) != 0) return (own, 0);

        var rows = 0;
        for (var i = line.Index - 1; i >= 0 && rows < 6; i--)
        {
            var above = grid.Lines[i];
            if (above.Page != line.Page || above.IsBlank) break;
            rows++;
            foreach (var cell in above.Cells)
                if (cell.Column < to + 4 && cell.Column + cell.Width > from - 4 && cell.Kinds != 0)
                    return (cell.Kinds, rows);
        }

        return (0, 0);
    }

    /// <summary>Whether the line below, in the same column, holds a number and words: a street or a post code and town.</summary>
    private static bool AddressBelow(PageGrid grid, GridLine line, int column)
    {
        for (var i = line.Index + 1; i < grid.Lines.Count && i <= line.Index + 2; i++)
        {
            var below = grid.Lines[i];
            if (below.Page != line.Page) return false;
            foreach (var cell in below.Cells)
                if (Math.Abs(cell.Column - column) <= 6)
                {
                    var text = grid.Content.AsSpan(cell.Start, cell.End - cell.Start);
                    return text.ContainsAnyInRange('0', '9') && (text.ContainsAnyInRange('a', 'z') || text.ContainsAnyInRange('A', 'Z'));
                }
        }

        return false;
    }

    private static (int Start, int End)? Trim(string content, int start, int end)
    {
        while (start < end && (char.IsWhiteSpace(content[start]) || content[start] is '*' or '#' or '>' or '_' or '|' or '-' or '=')) start++;
        while (end > start && (char.IsWhiteSpace(content[end - 1]) || content[end - 1] is '*' or ',' or '_' or '|' or '·' or '•' or '-' or '=')) end--;
        return end > start ? (start, end) : null;
    }
}
