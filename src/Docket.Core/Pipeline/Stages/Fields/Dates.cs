using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Docket.Core.Pipeline.Stages.Fields;

public readonly record struct DateMatch(DateOnly Value, int Start, int Length);

/// <summary>Dates as invoices write them in English, German and French.</summary>
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
            var dayFirst = m.Groups["s"].Value == "." || a > 12 || (b <= 12 && !monthFirst);
            (day, month) = dayFirst ? (a, b) : (b, a);
        }
        else
        {
            var named = m.Groups["mon3"].Success ? "3" : "4";
            if (!Months.TryGetValue(m.Groups["mon" + named].ValueSpan, out month)) return null;
            (year, day) = (Int(m, "y" + named), Int(m, "d" + named));
        }

        return year is >= 1900 and <= 2199 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day)
            : null;
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].ValueSpan, provider: System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("""
        (?<![\p{L}\p{N}])
        (?:
            (?<y>\d{4})(?<s1>[-/.])(?<m>\d{1,2})\k<s1>(?<d>\d{1,2})
          | (?<a>\d{1,2})(?<s>[./-])(?<b>\d{1,2})\k<s>(?<y2>\d{4})
          | (?<d3>\d{1,2})(?i:\.|er|st|nd|rd|th)?[\x20\-\u00A0]?(?<mon3>\p{L}{3,9})\.?[\x20\-,\u00A0]+(?<y3>\d{4})
          | (?<mon4>\p{L}{3,9})\.?\x20+(?<d4>\d{1,2})(?i:st|nd|rd|th)?,?\x20+(?<y4>\d{4})
        )
        (?![\p{N}])
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
