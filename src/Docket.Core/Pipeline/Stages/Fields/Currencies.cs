using System.Collections.Frozen;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>A currency written in the text: its ISO 4217 code and the offsets of the mark ("€", "Rs.", "EUR").</summary>
public readonly record struct CurrencyMark(string Iso, int Start, int End);

/// <summary>ISO 4217 codes from symbols and codes as invoices print them.</summary>
public static partial class Currencies
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
    /// reading when nothing says otherwise; "R" (too short) is left out. "kr" is <see cref="Kroner"/>: Swedish,
    /// Danish or Norwegian crowns, which the document's country decides (<see cref="ResolveKroner"/>).
    /// </summary>
    private static readonly FrozenDictionary<string, string> Symbols = new Dictionary<string, string>
    {
        ["$"] = "USD", ["US$"] = "USD", ["€"] = "EUR", ["£"] = "GBP", ["¥"] = "JPY", ["円"] = "JPY", ["￥"] = "JPY",
        ["₹"] = "INR", ["Rs."] = "INR", ["Rs"] = "INR", ["INR"] = "INR", ["Fr."] = "CHF", ["SFr."] = "CHF",
        ["C$"] = "CAD", ["CA$"] = "CAD", ["A$"] = "AUD", ["AU$"] = "AUD", ["NZ$"] = "NZD", ["HK$"] = "HKD",
        ["S$"] = "SGD", ["R$"] = "BRL", ["zł"] = "PLN", ["Kč"] = "CZK", ["₩"] = "KRW", ["₺"] = "TRY", ["₽"] = "RUB",
        ["₪"] = "ILS", ["₫"] = "VND", ["฿"] = "THB", ["₱"] = "PHP", ["元"] = "CNY", ["₴"] = "UAH", ["₦"] = "NGN",
        ["zl"] = "PLN", ["RM"] = "MYR", ["Rp"] = "IDR", ["Ft"] = "HUF", ["SFr"] = "CHF",
        ["kr"] = Kroner, ["kr."] = Kroner, ["Kr"] = Kroner, ["Kr."] = Kroner,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// What "kr" stands for until the document says which crowns: never a currency field's value
    /// (<see cref="ResolveKroner"/> replaces it, or the currency stays unknown).
    /// </summary>
    public const string Kroner = "kr";

    /// <summary>
    /// Which crowns a document that writes "kr" means, from what only one of the three countries prints: its IBANs and
    /// VAT numbers (DK, NO ... MVA, SE ... 01), its telephone prefix, and the words for VAT and amount ("mva" and
    /// "beløp" are Norwegian, "beløb" and "CVR" Danish, "belopp" and "exkl. moms" Swedish). Null when the signs
    /// disagree or there are none: a wrong currency is worse than none.
    /// </summary>
    public static string? ResolveKroner(string text)
    {
        Span<int> votes = stackalloc int[3];
        foreach (var match in KronerCountrySigns().EnumerateMatches(text))
            if (KronerCountryOf(text.AsSpan(match.Index, match.Length)) is var country and >= 0)
                votes[country]++;

        var best = votes[0] >= votes[1] && votes[0] >= votes[2] ? 0 : votes[1] >= votes[2] ? 1 : 2;
        var ties = (votes[0] == votes[best] ? 1 : 0) + (votes[1] == votes[best] ? 1 : 0) + (votes[2] == votes[best] ? 1 : 0);
        return votes[best] == 0 || ties > 1 ? null : KronerCodes[best];
    }

    private static readonly string[] KronerCodes = ["SEK", "DKK", "NOK"];

    /// <summary>0 Sweden, 1 Denmark, 2 Norway, -1 none, for one match of <see cref="KronerCountrySigns"/>.</summary>
    private static int KronerCountryOf(ReadOnlySpan<char> sign)
    {
        if (sign.StartsWith("+46") || sign.StartsWith("SE")) return 0;
        if (sign.StartsWith("+45") || sign.StartsWith("DK")) return 1;
        if (sign.StartsWith("+47") || sign.StartsWith("NO")) return 2;
        Span<char> lower = stackalloc char[sign.Length];
        var length = 0;
        foreach (var c in sign)
            if (!char.IsWhiteSpace(c)) lower[length++] = char.ToLowerInvariant(c);
        return lower[..length] switch
        {
            "belopp" or "exkl" or "momsreg" or "organisationsnummer" or "bankgiro" or "plusgiro" or "förfallodatum" or "attbetala" => 0,
            "beløb" or "cvr" or "ekskl" or "forfaldsdato" or "ialt" or "atbetale" or "byttepenge" => 1,
            "beløp" or "mva" or "forfallsdato" or "åbetale" or "foretaksregisteret" => 2,
            _ => -1,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(?:SE\s?\d{2}\s?\d{4}|SE\d{10}01|DK\s?\d{2}\s?\d{4}|DK\s?\d{8}\b|NO\s?\d{2}\s?\d{4}|NO\s?\d{9}\s?MVA)|\+4[567](?=[\s\d])|(?i:\b(?:belopp|exkl|momsreg|organisationsnummer|bankgiro|plusgiro|förfallodatum|att\s?betala|beløb|cvr|ekskl|forfaldsdato|i\s?alt|at\s?betale|byttepenge|beløp|mva|forfallsdato|å\s?betale|foretaksregisteret)\b)")]
    private static partial System.Text.RegularExpressions.Regex KronerCountrySigns();

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
