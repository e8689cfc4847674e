using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

public readonly record struct DateMatch(DateOnly Value, int Start, int Length);

/// <summary>
/// Dates as invoices write them in the languages of <see cref="Analysis.LanguageGuesser.Languages"/>. A two-digit year
/// ("26/02/18", "18-10-17", as till receipts print them) is read in the window <see cref="TwoDigitYearPivot"/> sets.
/// </summary>
public static partial class Dates
{
    private static readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Months = new Dictionary<string, int>
    {
        ["january"] = 1, ["jan"] = 1, ["januar"] = 1, ["jänner"] = 1, ["janvier"] = 1, ["janv"] = 1,
        ["february"] = 2, ["feb"] = 2, ["februar"] = 2, ["février"] = 2, ["fevrier"] = 2, ["févr"] = 2, ["fév"] = 2,
        ["march"] = 3, ["mar"] = 3, ["märz"] = 3, ["maerz"] = 3, ["mär"] = 3, ["mars"] = 3,
        ["april"] = 4, ["apr"] = 4, ["avril"] = 4, ["avr"] = 4,
        ["may"] = 5, ["mai"] = 5,
        ["june"] = 6, ["jun"] = 6, ["juni"] = 6, ["juin"] = 6,
        ["july"] = 7, ["jul"] = 7, ["juli"] = 7, ["juillet"] = 7, ["juil"] = 7,
        ["august"] = 8, ["aug"] = 8, ["août"] = 8, ["aout"] = 8,
        ["september"] = 9, ["sep"] = 9, ["sept"] = 9, ["septembre"] = 9,
        ["october"] = 10, ["oct"] = 10, ["oktober"] = 10, ["okt"] = 10, ["octobre"] = 10,
        ["november"] = 11, ["nov"] = 11, ["novembre"] = 11,
        ["december"] = 12, ["dec"] = 12, ["dezember"] = 12, ["dez"] = 12, ["décembre"] = 12, ["déc"] = 12,

        // Dutch, Spanish, Italian, Portuguese, Polish (nominative and genitive: "24 grudnia 2025"), Swedish, Danish,
        // Norwegian and Finnish (with the partitive: "5. tammikuuta 2024"). Abbreviations shared with the above mean the same month.
        ["januari"] = 1, ["enero"] = 1, ["ene"] = 1, ["gennaio"] = 1, ["gen"] = 1, ["janeiro"] = 1, ["styczeń"] = 1, ["stycznia"] = 1, ["sty"] = 1, ["tammikuu"] = 1, ["tammikuuta"] = 1,
        ["februari"] = 2, ["febrero"] = 2, ["febbraio"] = 2, ["fevereiro"] = 2, ["fev"] = 2, ["luty"] = 2, ["lutego"] = 2, ["lut"] = 2, ["helmikuu"] = 2, ["helmikuuta"] = 2,
        ["maart"] = 3, ["mrt"] = 3, ["marzo"] = 3, ["março"] = 3, ["marco"] = 3, ["marzec"] = 3, ["marca"] = 3, ["marts"] = 3, ["maaliskuu"] = 3, ["maaliskuuta"] = 3,
        ["abril"] = 4, ["abr"] = 4, ["aprile"] = 4, ["kwiecień"] = 4, ["kwietnia"] = 4, ["kwi"] = 4, ["huhtikuu"] = 4, ["huhtikuuta"] = 4,
        ["mei"] = 5, ["mayo"] = 5, ["maggio"] = 5, ["mag"] = 5, ["maio"] = 5, ["maj"] = 5, ["maja"] = 5, ["toukokuu"] = 5, ["toukokuuta"] = 5,
        ["junio"] = 6, ["giugno"] = 6, ["giu"] = 6, ["junho"] = 6, ["czerwiec"] = 6, ["czerwca"] = 6, ["cze"] = 6, ["kesäkuu"] = 6, ["kesäkuuta"] = 6,
        ["julio"] = 7, ["luglio"] = 7, ["lug"] = 7, ["julho"] = 7, ["lipiec"] = 7, ["lipca"] = 7, ["lip"] = 7, ["heinäkuu"] = 7, ["heinäkuuta"] = 7,
        ["augustus"] = 8, ["agosto"] = 8, ["ago"] = 8, ["sierpień"] = 8, ["sierpnia"] = 8, ["sie"] = 8, ["augusti"] = 8, ["elokuu"] = 8, ["elokuuta"] = 8,
        ["septiembre"] = 9, ["setiembre"] = 9, ["settembre"] = 9, ["set"] = 9, ["setembro"] = 9, ["wrzesień"] = 9, ["września"] = 9, ["wrz"] = 9, ["syyskuu"] = 9, ["syyskuuta"] = 9,
        ["octubre"] = 10, ["ottobre"] = 10, ["ott"] = 10, ["outubro"] = 10, ["out"] = 10, ["październik"] = 10, ["października"] = 10, ["paź"] = 10, ["lokakuu"] = 10, ["lokakuuta"] = 10,
        ["noviembre"] = 11, ["novembro"] = 11, ["listopad"] = 11, ["listopada"] = 11, ["lis"] = 11, ["marraskuu"] = 11, ["marraskuuta"] = 11,
        ["diciembre"] = 12, ["dic"] = 12, ["dicembre"] = 12, ["dezembro"] = 12, ["grudzień"] = 12, ["grudnia"] = 12, ["gru"] = 12, ["desember"] = 12, ["des"] = 12, ["joulukuu"] = 12, ["joulukuuta"] = 12,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// All dates in <paramref name="text"/>[start, end). "03/05/2024" is ambiguous: with
    /// <paramref name="monthFirst"/> it is March 5 (US), else 3 May; a part above 12 settles it either way,
    /// and dots always mean day first.
    /// </summary>
    public static IEnumerable<DateMatch> Find(string text, bool monthFirst, int start = 0, int end = -1)
    {
        if (end < 0) end = text.Length;
        for (var match = Pattern().Match(text, start, end - start); match.Success; match = match.NextMatch())
            if (ToDate(match, monthFirst) is { } date)
                yield return new DateMatch(date, match.Index, match.Length);
    }

    /// <summary>
    /// Two-digit years below this are 20xx, the others 19xx: 00-79 is 2000-2079, 80-99 is 1980-1999. Receipts and
    /// invoices are dated around the time they are read, and the 1980s are as far back as a scanned archive reaches.
    /// </summary>
    public const int TwoDigitYearPivot = 80;

    public static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static DateOnly? ToDate(Match m, bool monthFirst)
    {
        int year, month, day;
        if (m.Groups["y"].Success)
        {
            (year, month, day) = (Int(m, "y"), Int(m, "m"), Int(m, "d"));
        }
        else if (m.Groups["a"].Success)
        {
            int a = Int(m, "a"), b = Int(m, "b");
            year = Int(m, "y2");
            if (m.Groups["y2"].Length == 2) year += year < TwoDigitYearPivot ? 2000 : 1900;
            var dayFirst = m.Groups["s"].Value == "." || a > 12 || (b <= 12 && !monthFirst);
            (day, month) = dayFirst ? (a, b) : (b, a);
        }
        else
        {
            var named = m.Groups["mon3"].Success ? "3" : "4";
            if (!Months.TryGetValue(m.Groups["mon" + named].ValueSpan, out month)) return null;
            (year, day) = (Int(m, "y" + named), Int(m, "d" + named));
            if (m.Groups["y" + named].ValueSpan.TrimStart('\'').Length == 2) year += year < TwoDigitYearPivot ? 2000 : 1900;
        }

        return year is >= 1900 and <= 2199 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : null;
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan.TrimStart('\''), provider: System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""
        (?<![\p{L}\p{N}]|\p{N}[./-])
        (?:
            (?<y>\d{4})(?<s1>[-/.])(?<m>\d{1,2})\k<s1>(?<d>\d{1,2})
          | (?<a>\d{1,2})(?<s>[./-])(?<b>\d{1,2})\k<s>(?<y2>\d{4}|\d{2}(?![./-]\p{N}))
          | (?<d3>\d{1,2})(?i:\.|er|st|nd|rd|th|º)?(?:[\x20\-\u00A0]|\x20(?i:de|di)\x20)?(?<mon3>\p{L}{3,12})\.?(?:\x20(?i:de|del)\x20|[\x20\-,\u00A0]+)(?<y3>\d{4}|'?\d{2}(?![\p{N}:]|[.,]\p{N}))
          | (?<mon4>\p{L}{3,12})\.?\x20+(?<d4>\d{1,2})(?i:st|nd|rd|th)?,?\x20+(?<y4>\d{4})
        )
        (?![\p{N}])
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
