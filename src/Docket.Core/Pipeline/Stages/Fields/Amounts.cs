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
        {
            if (!TryParse(match.ValueSpan, out var value, out var hasDecimals)) continue;
            var (before, negative) = CurrencyBefore(text, match.Index, start);
            var after = CurrencyAfter(text, match.Index + match.Length, end, out var percentage);
            if (percentage) continue;
            yield return new AmountMatch(negative ? -value : value, match.Index, match.Length, hasDecimals, before ?? after);
        }
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

    /// <summary>The invariant form the contract asks for: '.' for decimals, no grouping, two decimals.</summary>
    public static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static (string? Currency, bool Negative) CurrencyBefore(string text, int index, int floor)
    {
        var i = index - 1;
        while (i >= floor && text[i] == ' ') i--;
        string? currency = null;
        if (i >= floor && Currencies.FromSymbol(text[i]) is { } symbol)
        {
            currency = symbol;
            i--;
        }
        else if (i >= floor + 2 && char.IsAsciiLetterUpper(text[i]) && (i - 3 < floor || !char.IsLetter(text[i - 3]))
                 && Currencies.FromCode(text.AsSpan(i - 2, 3)) is { } code)
        {
            currency = code;
            i -= 3;
        }

        while (i >= floor && text[i] == ' ') i--;
        var negative = i >= floor && text[i] is '-' or '−' && (i == floor || !char.IsLetterOrDigit(text[i - 1]));
        return (currency, negative);
    }

    private static string? CurrencyAfter(string text, int index, int ceiling, out bool percentage)
    {
        var i = index;
        while (i < ceiling && text[i] is ' ' or '\u00A0') i++;
        percentage = i < ceiling && text[i] == '%';
        if (i >= ceiling) return null;
        if (Currencies.FromSymbol(text[i]) is { } symbol) return symbol;
        return i + 3 <= ceiling && (i + 3 == ceiling || !char.IsLetter(text[i + 3]))
            ? Currencies.FromCode(text.AsSpan(i, 3))
            : null;
    }

    // Groups of three after a first group that does not start with 0, so "0.125" is not 125.
    [GeneratedRegex("""
        (?<![\p{L}\p{N}.,/'])
        (?:
            [1-9]\d{0,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?
          | [1-9]\d{0,2}(?<sep>[,.'\u00A0\u202F\x20])\d{3}(?:\k<sep>\d{3})*(?:[.,]\d{1,2})?
          | \d+(?:[.,]\d{1,2})?
        )
        (?![\p{N}]|[.,]\d)
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Number();
}
