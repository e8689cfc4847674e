using System.Collections.Frozen;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>A currency written in the text: its ISO 4217 code and the offsets of the mark ("€", "Rs.", "EUR").</summary>
public readonly record struct CurrencyMark(string Iso, int Start, int End);

/// <summary>ISO 4217 codes from symbols and codes as invoices print them.</summary>
public static class Currencies
{
    /// <summary>
    /// The active ISO 4217 codes of currencies that money is paid in (funds codes, precious metals and
    /// the testing and "no currency" codes left out). A currency outside this set fails the check.
    /// </summary>
    public static FrozenSet<string> Codes { get; } = """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
        CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
        GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
        LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
        NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
        STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG
        XOF XPF YER ZAR ZMW ZWG
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Codes that are also words invoices print in capitals ("CUP 3.50" on a café receipt, "ALL ITEMS",
    /// "TOP"): beside an amount they are not taken for a currency unless a label says so.
    /// </summary>
    private static readonly FrozenSet<string> AlsoWords = new[]
    {
        "ALL", "TOP", "PEN", "CUP", "MAD", "BOB", "SOS", "GEL", "TRY", "MOP", "NAD", "BAM", "MUR", "LAK", "AMD",
        "ERN", "DOP", "CUC", "SAR", "TND", "PAB", "BIF", "KES",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Marks that stand for one currency. '$' alone is taken as US dollars and '¥' as yen: the usual
    /// reading when nothing says otherwise; "kr" (three currencies) and "R" (too short) are left out.
    /// </summary>
    private static readonly FrozenDictionary<string, string> Symbols = new Dictionary<string, string>
    {
        ["$"] = "USD", ["US$"] = "USD", ["€"] = "EUR", ["£"] = "GBP", ["¥"] = "JPY", ["円"] = "JPY", ["￥"] = "JPY",
        ["₹"] = "INR", ["Rs."] = "INR", ["Rs"] = "INR", ["INR"] = "INR", ["Fr."] = "CHF", ["SFr."] = "CHF",
        ["C$"] = "CAD", ["CA$"] = "CAD", ["A$"] = "AUD", ["AU$"] = "AUD", ["NZ$"] = "NZD", ["HK$"] = "HKD",
        ["S$"] = "SGD", ["R$"] = "BRL", ["zł"] = "PLN", ["Kč"] = "CZK", ["₩"] = "KRW", ["₺"] = "TRY", ["₽"] = "RUB",
        ["₪"] = "ILS", ["₫"] = "VND", ["฿"] = "THB", ["₱"] = "PHP", ["元"] = "CNY", ["₴"] = "UAH", ["₦"] = "NGN",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CodeLookup =
        Codes.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> SymbolLookup =
        Symbols.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string> NoMinorUnit = new[]
    {
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ThreeMinorDigits = new[] { "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND" }
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Digits after the decimal mark in the currency's minor unit: 0 for yen, 3 for dinars, else 2.</summary>
    public static int MinorDigits(string iso) => NoMinorUnit.Contains(iso) ? 0 : ThreeMinorDigits.Contains(iso) ? 3 : 2;

    public static bool IsIsoCode(string? code) => code is { Length: 3 } && Codes.Contains(code);

    public static string? FromSymbol(char symbol) =>
        SymbolLookup.TryGetValue([symbol], out var iso) ? iso : null;

    /// <summary>Upper-case codes only: "eur" inside running text is not a currency.</summary>
    public static string? FromCode(ReadOnlySpan<char> code) =>
        code.Length == 3 && !code.ContainsAnyExceptInRange('A', 'Z') && CodeLookup.TryGetValue(code, out var iso) ? iso : null;

    /// <summary>A mark that is a currency wherever it stands: a symbol, or a code that is no English word.</summary>
    public static string? FromMark(ReadOnlySpan<char> mark)
    {
        if (SymbolLookup.TryGetValue(mark, out var iso)) return iso;
        return FromCode(mark) is { } code && !AlsoWords.Contains(code) ? code : null;
    }

    /// <summary>A labelled value ("currency: usd", "Währung: €") may be any case.</summary>
    public static string? FromLabelledValue(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length >= 3 && CodeLookup.TryGetValue(value[..3], out var iso) && (value.Length == 3 || !char.IsLetter(value[3])))
            return iso.ToUpperInvariant();
        var end = 0;
        while (end < value.Length && !char.IsWhiteSpace(value[end]) && !char.IsAsciiDigit(value[end])) end++;
        return end > 0 && SymbolLookup.TryGetValue(value[..end], out var symbol) ? symbol
            : value.Length > 0 ? FromSymbol(value[0]) : null;
    }

    /// <summary>The currency mark that ends right before <paramref name="end"/> (spaces between allowed), not reaching below <paramref name="floor"/>.</summary>
    public static CurrencyMark? MarkBefore(string text, int end, int floor)
    {
        var i = end;
        while (i > floor && text[i - 1] is ' ' or '\u00A0') i--;
        var stop = i;
        while (i > floor && !char.IsWhiteSpace(text[i - 1]) && !char.IsAsciiDigit(text[i - 1]) && text[i - 1] is not ('-' or '−' or '(' or ':' or '|')) i--;
        return Mark(text, i, stop);
    }

    /// <summary>The currency mark that starts at <paramref name="start"/> (spaces before it allowed), not reaching <paramref name="ceiling"/>.</summary>
    public static CurrencyMark? MarkAfter(string text, int start, int ceiling)
    {
        var i = start;
        while (i < ceiling && text[i] is ' ' or '\u00A0') i++;
        var from = i;
        while (i < ceiling && !char.IsWhiteSpace(text[i]) && !char.IsAsciiDigit(text[i]) && text[i] is not (',' or ';' or ')' or '|' or '*')) i++;
        // "EUR." ends a sentence: the full stop is not part of the mark.
        var mark = Mark(text, from, i);
        return mark is null && i > from + 1 && text[i - 1] == '.' ? Mark(text, from, i - 1) : mark;
    }

    private static CurrencyMark? Mark(string text, int start, int end)
    {
        if (end <= start || end - start > 4) return null;
        // A code glued to letters ("EURO", "VEUR") is a word, not a code.
        if (start > 0 && char.IsLetter(text[start - 1]) || end < text.Length && char.IsLetter(text[end])) return null;
        return FromMark(text.AsSpan(start, end - start)) is { } iso ? new CurrencyMark(iso, start, end) : null;
    }

    /// <summary>Every mark in the text, for guessing the currency of a document that labels none.</summary>
    public static IEnumerable<CurrencyMark> FindMarks(string text, int start = 0, int end = -1)
    {
        if (end < 0) end = text.Length;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c) || char.IsAsciiDigit(c) || (i > start && !char.IsWhiteSpace(text[i - 1]) && !char.IsAsciiDigit(text[i - 1])
                && text[i - 1] is not ('-' or '(' or ':' or '|' or '*'))) continue;
            var j = i;
            while (j < end && !char.IsWhiteSpace(text[j]) && !char.IsAsciiDigit(text[j]) && text[j] is not (',' or ';' or ')' or '|' or '*' or ':')) j++;
            var mark = Mark(text, i, j) ?? (j > i + 1 && text[j - 1] == '.' ? Mark(text, i, j - 1) : null);
            if (mark is { } found)
            {
                yield return found;
                i = found.End - 1;
            }
        }
    }
}
