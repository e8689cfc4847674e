using System.Collections.Frozen;

namespace Docket.Core.Pipeline.Stages.Fields;

/// <summary>ISO 4217 codes from symbols and codes as invoices print them.</summary>
public static class Currencies
{
    /// <summary>'$' alone is taken as US dollars and '¥' as yen: the usual reading when nothing says otherwise.</summary>
    public static string? FromSymbol(char symbol) => symbol switch
    {
        '$' => "USD",
        '€' => "EUR",
        '£' => "GBP",
        '¥' => "JPY",
        '₹' => "INR",
        _ => null,
    };

    public static FrozenSet<string> Codes { get; } = new[]
    {
        "USD", "EUR", "GBP", "JPY", "INR", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
        "HUF", "CNY", "HKD", "SGD", "ZAR", "BRL", "MXN", "TRY", "AED", "SAR", "KRW", "ILS", "RON", "BGN",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CodeLookup =
        Codes.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Upper-case codes only: "eur" inside running text is not a currency.</summary>
    public static string? FromCode(ReadOnlySpan<char> code) =>
        code.Length == 3 && !code.ContainsAnyExceptInRange('A', 'Z') && CodeLookup.TryGetValue(code, out var iso) ? iso : null;

    /// <summary>A labelled value ("currency: usd") may be any case.</summary>
    public static string? FromLabelledValue(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.Length >= 3 && CodeLookup.TryGetValue(value[..3], out var iso) && (value.Length == 3 || !char.IsLetter(value[3])))
            return iso;
        return value.Length > 0 ? FromSymbol(value[0]) : null;
    }
}
