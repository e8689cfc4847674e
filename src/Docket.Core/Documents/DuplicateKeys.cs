using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Docket.Core.Pipeline;

namespace Docket.Core.Documents;

/// <summary>How one invoice was recognised in another document of the same owner, as it appears on the wire.</summary>
public static class DuplicateMatches
{
    /// <summary>The same issuer and the same invoice number.</summary>
    public const string InvoiceNumber = "invoice_number";

    /// <summary>The same issuer, invoice date and total.</summary>
    public const string IssuerDateTotal = "issuer_date_total";
}

/// <summary>
/// What an invoice is looked up by to find the same invoice elsewhere (DESIGN.md, Checks): one key for issuer and
/// number, one for issuer, date and total, each null when a value it needs is missing. Values are compared as a
/// bookkeeper would: the issuer without regard to case or spacing, the number also without spaces or dashes
/// ("INV-0042" is "inv 0042"), the total as an amount ("1250.00" is "1250"). The keys are SHA-256 hashes of the
/// normalised values, so an index entry has the same small size whatever an issuer's name is.
/// </summary>
public sealed record DuplicateKeys(string? NumberKey, string? TotalKey)
{
    public static DuplicateKeys None { get; } = new(null, null);

    public bool IsEmpty => NumberKey is null && TotalKey is null;

    /// <summary>The keys of a document with these effective values (the reviewer's where edited, else the machine's).</summary>
    /// <param name="category">Only invoices are matched: a receipt for the same amount on the same day is another purchase,
    /// and a credit note often repeats the number of the invoice it corrects.</param>
    public static DuplicateKeys For(string? category, IReadOnlyDictionary<string, string?> fields)
    {
        if (category != Categories.Invoice) return None;
        var issuer = Issuer(fields.GetValueOrDefault(FieldNames.Issuer));
        if (issuer is null) return None;
        var number = Number(fields.GetValueOrDefault(FieldNames.InvoiceNumber));
        var date = Date(fields.GetValueOrDefault(FieldNames.Date));
        var total = Amount(fields.GetValueOrDefault(FieldNames.Total));
        return new DuplicateKeys(
            number is null ? null : Hash(DuplicateMatches.InvoiceNumber, issuer, number),
            date is null || total is null ? null : Hash(DuplicateMatches.IssuerDateTotal, issuer, date, total));
    }

    /// <summary>Trimmed, each run of white space one space, lower case; compatibility forms folded (a full-width "Ａ" is "a").</summary>
    private static string? Issuer(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Normalize(NormalizationForm.FormKC).Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                if (builder[^1] != ' ') builder.Append(' ');
            }
            else builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }

    /// <summary>As an issuer, and without white space or dashes of any kind.</summary>
    private static string? Number(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.Normalize(NormalizationForm.FormKC))
            if (!char.IsWhiteSpace(c) && CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.DashPunctuation)
                builder.Append(char.ToLowerInvariant(c));
        return builder.Length == 0 ? null : builder.ToString();
    }

    private static string? Date(string? value) =>
        DateOnly.TryParseExact(value?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    /// <summary>The amount without trailing zeros, so "1250.00", "1250.0" and "1250" are one total.</summary>
    private static string? Amount(string? value) =>
        decimal.TryParse(value?.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            ? amount.ToString("0.############################", CultureInfo.InvariantCulture)
            : null;

    private static string Hash(string kind, params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\u001f" + string.Join('\u001f', parts))));
}
