using System.Globalization;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>An amount found in text. <see cref="Start"/>/<see cref="Length"/> cover the digits only, not sign or currency.</summary>
public readonly record struct AmountMatch(decimal Value, int Start, int Length, bool HasDecimals, string? Currency);

/// <summary>
/// Reads amounts written the English way (1,234.56), the continental way (1.234,56 and 1 234,56),
/// the Swiss way (1'234.50) and the Indian way (1,23,456.00).
/// </summary>
public static partial class Amounts
{
    /// <summary>
    /// Money, not just numbers: an amount needs cents or a currency beside it, so that years,
    /// postcodes, VAT registration numbers and percentages on a labelled line are passed over.
    /// </summary>
    public static IEnumerable<AmountMatch> FindMoney(string text, int start = 0, int end = -1)
    {
        foreach (var amount in FindNumbers(text, start, end))
            if (amount.HasDecimals || amount.Currency is not null) yield return amount;
    }

    public static IEnumerable<AmountMatch> FindNumbers(string text, int start = 0, int end = -1)
    {
        if (end < 0) end = text.Length;
        for (var match = Number().Match(text, start, end - start); match.Success; match = match.NextMatch())
            if (Read(text, match.Index, match.Length, start, end) is { } amount) yield return amount;
    }

    /// <summary>The first of <see cref="FindNumbers"/>, without allocating: a table row has a few numbers, a long invoice thousands of rows.</summary>
    public static AmountMatch? FirstNumber(string text, int start, int end)
    {
        // The slice is the whole input, as for Regex.Match(text, start, length): nothing outside it is looked behind or ahead.
        foreach (var match in Number().EnumerateMatches(text.AsSpan(start, end - start)))
            if (Read(text, start + match.Index, match.Length, start, end) is { } amount) return amount;
        return null;
    }

    /// <summary>The number at <paramref name="index"/> with its sign and currency, or null when it is no amount (a percentage, "1,234,56").</summary>
    private static AmountMatch? Read(string text, int index, int length, int start, int end)
    {
        if (!TryParse(text.AsSpan(index, length), out var value, out var hasDecimals)) return null;
        var (before, negative) = CurrencyBefore(text, index, start);
        var after = CurrencyAfter(text, index + length, end, out var percentage);
        if (percentage) return null;
        return new AmountMatch(negative ? -value : value, index, length, hasDecimals, before ?? after);
    }

    /// <summary>Parses one number as written; the decimal separator is whichever of '.' or ',' comes last with one or two digits after it.</summary>
    public static bool TryParse(ReadOnlySpan<char> raw, out decimal value, out bool hasDecimals)
    {
        value = 0;
        var lastSeparator = raw.LastIndexOfAny('.', ',');
        hasDecimals = lastSeparator >= 0 && raw.Length - lastSeparator - 1 is 1 or 2;
        Span<char> digits = stackalloc char[raw.Length];
        var count = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (char.IsAsciiDigit(c)) digits[count++] = c;
            else if (hasDecimals && i == lastSeparator) digits[count++] = '.';
            else if (hasDecimals && c == raw[lastSeparator]) return false; // "1,234,56": the same mark cannot both group and separate
        }

        return decimal.TryParse(digits[..count], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// OCR reads a comma as a full stop now and then, which leaves "41.019.30": one mark that both
    /// groups and separates. Such numbers are rewritten with a comma for grouping, character for
    /// character, so every offset stays where it was.
    /// </summary>
    public static string RepairOcr(string text)
    {
        if (!OcrMisreadNumber().IsMatch(text)) return text;
        var chars = text.ToCharArray();
        foreach (Match match in OcrMisreadNumber().Matches(text))
        {
            var decimalMark = match.Index + match.Length - 3;
            for (var i = match.Index; i < decimalMark; i++)
                if (chars[i] is '.' or ',') chars[i] = chars[decimalMark] == '.' ? ',' : '.';
        }

        return new string(chars);
    }

    [GeneratedRegex(@"(?<![\p{L}\p{N}.,])[1-9]\d{0,2}(?:(?<m>[.,])\d{3})+\k<m>\d{2}(?![\p{N}]|[.,]\d)")]
    private static partial Regex OcrMisreadNumber();

    /// <summary>The invariant form the contract asks for: '.' for decimals, no grouping, two decimals.</summary>
    public static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static (string? Currency, bool Negative) CurrencyBefore(string text, int index, int floor)
    {
        var mark = Currencies.MarkBefore(text, index, floor);
        var i = mark?.Start ?? index;
        while (i > floor && text[i - 1] == ' ') i--;
        var negative = i > floor && text[i - 1] is '-' or '−' && (i - 1 == floor || !char.IsLetterOrDigit(text[i - 2]));
        return (mark?.Iso, negative);
    }

    private static string? CurrencyAfter(string text, int index, int ceiling, out bool percentage)
    {
        var i = index;
        while (i < ceiling && text[i] is ' ' or '\u00A0') i++;
        percentage = i < ceiling && text[i] == '%';
        return percentage ? null : Currencies.MarkAfter(text, index, ceiling)?.Iso;
    }

    // Groups of three after a first group that does not start with 0, so "0.125" is not 125. A full stop before the
    // digits belongs to the number unless it ends an abbreviation: "Fr.10'880.27" and "Rs.1,234.00" are amounts, and so
    // are amounts glued to a currency that tills print that way ("RM4.00", "EUR12.50").
    [GeneratedRegex("""
        (?:(?<=(?<!\p{L})(?:RM|Rp|Rs|kr|Kr|Ft|Kč|zł|USD|EUR|GBP|CHF|MYR|SGD|SEK|NOK|DKK|PLN|INR))|(?<![\p{L}\p{N},/']|(?<!\p{L})\.))
        (?:
            [1-9]\d{0,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?
          | [1-9]\d{0,2}(?<sep>[,.'\u00A0\u202F\x20])\d{3}(?:\k<sep>\d{3})*(?:[.,]\d{1,2})?
          | \d+(?:[.,]\d{1,2})?
        )
        (?![\p{N}]|[.,]\d)
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Number();
}
