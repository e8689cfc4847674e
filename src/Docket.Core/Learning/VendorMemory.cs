using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields;

namespace Docket.Core.Learning;

/// <summary>
/// What a reviewer taught about one field of one vendor's documents.
/// </summary>
/// <param name="Label">The words the right value stood after ("Leistungsdatum", "Amount payable"), lower case; null if none could be told.</param>
/// <param name="Absent">The reviewer cleared the field: this vendor's documents do not have it.</param>
/// <param name="MonthFirst">For dates: whether the vendor writes 03/05/2024 as March 5 (true) or 3 May (false), when the correction showed it.</param>
public sealed record FieldLesson(string? Label, bool Absent, bool? MonthFirst);

/// <param name="Name">The vendor's proper name, as reviewers last finalised it.</param>
public sealed record VendorProfile(string Name, ImmutableDictionary<string, FieldLesson> Lessons);

/// <summary>
/// One owner's vendor memory: learns from the owner's finalised invoices who sent them and where reviewers
/// found the values the machine got wrong, and recalls that for the owner's next document of the same vendor.
/// <para>
/// It holds one owner's lessons only (<see cref="Learn"/> refuses anyone else's), because what it recalls is
/// shown: the vendor's name as a reviewer typed it, and values read where a reviewer found them. Learning
/// across owners would put one user's corrections on another user's documents; <see cref="VendorMemories"/>
/// keeps one memory per owner and hands the pipeline the memory of the document's owner.
/// </para>
/// <para>
/// A vendor is recognised by keys in the text that belong to it: tax and VAT registration numbers,
/// IBANs, e-mail domains, its name, and the name the machine (wrongly) read for it before. A key seen
/// on documents of two different vendors (the customer's own VAT number or e-mail domain, printed on
/// every supplier's invoice) says nothing and is ignored.
/// </para>
/// The state is immutable and swapped whole after each lesson, so pipeline stages on worker threads
/// read it without locks while the learning feed writes.
/// </summary>
/// <param name="owner">Whose finalised documents this memory learns from, and whose documents it is for.</param>
public sealed partial class VendorMemory(Guid owner)
{
    private sealed record State(
        ImmutableDictionary<string, ImmutableHashSet<string>> VendorsByKey,
        ImmutableDictionary<string, VendorProfile> Profiles);

    private State _state = new(
        ImmutableDictionary<string, ImmutableHashSet<string>>.Empty,
        ImmutableDictionary<string, VendorProfile>.Empty);

    public Guid Owner { get; } = owner;

    public int VendorCount => Volatile.Read(ref _state).Profiles.Count;

    /// <summary>Whether a finalised document teaches vendor memory anything: an invoice, receipt or credit note with an issuer.</summary>
    public static bool Teaches(FinalisedExample example) =>
        example.FinalCategory is Categories.Invoice or Categories.Receipt or Categories.CreditNote
        && example.FinalFields.GetValueOrDefault(FieldNames.Issuer) is { } name && NormalisedName(name).Length > 0;

    /// <summary>Learns from one of the owner's finalised documents; called from one thread at a time.</summary>
    /// <exception cref="ArgumentException">The document is another owner's.</exception>
    public void Learn(FinalisedExample example)
    {
        if (example.OwnerId != Owner)
            throw new ArgumentException($"Document {example.DocumentId} belongs to another owner than this vendor memory's.", nameof(example));
        if (!Teaches(example)) return;
        var name = example.FinalFields[FieldNames.Issuer]!;
        var vendor = NormalisedName(name);

        var state = Volatile.Read(ref _state);
        var keys = KeysOf(example.Text).Append("name:" + vendor);
        if (example.MachineFields.GetValueOrDefault(FieldNames.Issuer)?.Value is { } machine && NormalisedName(machine) is { Length: > 0 } misread)
            keys = keys.Append("name:" + misread);

        var byKey = state.VendorsByKey;
        foreach (var key in keys.Distinct())
            byKey = byKey.SetItem(key, (byKey.GetValueOrDefault(key) ?? []).Add(vendor));

        var lessons = state.Profiles.GetValueOrDefault(vendor)?.Lessons ?? ImmutableDictionary<string, FieldLesson>.Empty;
        foreach (var (field, machineValue, finalValue) in example.Corrections())
        {
            if (field == FieldNames.Issuer) continue; // the name itself is the profile's
            if (Lesson(example, field, machineValue, finalValue) is { } lesson) lessons = lessons.SetItem(field, lesson);
        }

        Volatile.Write(ref _state, new State(byKey, state.Profiles.SetItem(vendor, new VendorProfile(name.Trim(), lessons))));
    }

    /// <summary>The profile of the vendor whose document this is, or null when no key is known or the keys disagree.</summary>
    public VendorProfile? Recall(string text, string? machineIssuer)
    {
        var state = Volatile.Read(ref _state);
        if (state.Profiles.IsEmpty) return null;

        var keys = KeysOf(text);
        if (machineIssuer is not null && NormalisedName(machineIssuer) is { Length: > 0 } name) keys = keys.Append("name:" + name);
        var votes = new Dictionary<string, int>();
        foreach (var key in keys.Distinct())
            if (state.VendorsByKey.GetValueOrDefault(key) is { Count: 1 } vendors)
                votes[vendors.First()] = votes.GetValueOrDefault(vendors.First()) + 1;

        if (votes.Count == 0) return null;
        var ranked = votes.OrderByDescending(v => v.Value).ToList();
        if (ranked.Count > 1 && ranked[0].Value == ranked[1].Value) return null;
        return state.Profiles.GetValueOrDefault(ranked[0].Key);
    }

    private static FieldLesson? Lesson(FinalisedExample example, string field, string? machineValue, string? finalValue)
    {
        if (finalValue is null) return new FieldLesson(null, Absent: true, null);
        var text = example.Text;
        foreach (var (start, end, monthFirst) in Occurrences(text, field, finalValue))
            if (LabelBefore(text, start) is { } label)
                return new FieldLesson(label, Absent: false, monthFirst);
        return null;
    }

    /// <summary>Where a finalised value is written in the text, read the way the field reads it.</summary>
    private static IEnumerable<(int Start, int End, bool? MonthFirst)> Occurrences(string text, string field, string value)
    {
        switch (field)
        {
            case FieldNames.Date or FieldNames.DueDate:
                foreach (var monthFirst in (bool[])[false, true])
                    foreach (var date in Dates.Find(text, monthFirst))
                        if (Dates.Format(date.Value) == value && Dates.Find(text, !monthFirst, date.Start, date.Start + date.Length).FirstOrDefault() is var other)
                            yield return (date.Start, date.Start + date.Length, Dates.Format(other.Value) == value ? null : monthFirst);
                break;
            case FieldNames.Net or FieldNames.Tax or FieldNames.Total:
                if (!decimal.TryParse(value, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var amount)) yield break;
                foreach (var found in Amounts.FindNumbers(text))
                    if (Math.Abs(found.Value) == Math.Abs(amount))
                        yield return (found.Start, found.Start + found.Length, null);
                break;
            case FieldNames.Currency:
                foreach (var mark in Currencies.FindMarks(text))
                    if (mark.Iso == value) yield return (mark.Start, mark.End, null);
                break;
            default:
                for (var at = text.IndexOf(value, StringComparison.OrdinalIgnoreCase); at >= 0 && value.Length > 0;
                     at = text.IndexOf(value, at + 1, StringComparison.OrdinalIgnoreCase))
                    yield return (at, at + value.Length, null);
                break;
        }
    }

    /// <summary>
    /// The words right before a value on its line, back to the start of its column (a wide gap or a
    /// table bar), or the line above when the value stands alone: "Leistungsdatum:", "Ref.".
    /// </summary>
    public static string? LabelBefore(string text, int valueStart)
    {
        var lineStart = valueStart == 0 ? 0 : text.LastIndexOf('\n', valueStart - 1) + 1;
        var end = valueStart;
        while (end > lineStart && text[end - 1] is ' ' or '\t' or ':' or '|' or '*' or '=' or '#' or '\u00A0' or '-' or '$' or '€' or '£') end--;
        var start = end;
        while (start > lineStart && !(text[start - 1] is '|' or '\t' || (start - 2 >= lineStart && text[start - 1] == ' ' && text[start - 2] == ' ' && start - 3 >= lineStart && text[start - 3] == ' ')))
            start--;
        var label = Normalise(text.AsSpan(start, end - start));
        if (label.Count(char.IsLetter) >= 2 && label.Length <= 60) return label;

        if (end > lineStart || lineStart == 0) return null;
        var above = lineStart >= 2 ? text.LastIndexOf('\n', lineStart - 2) + 1 : 0;
        var line = Normalise(text.AsSpan(above, lineStart - 1 - above).Trim(" \t:|*#"));
        return line.Count(char.IsLetter) >= 2 && line.Length <= 40 ? line : null;
    }

    /// <summary>Lower case, one space between words: how labels are stored and compared.</summary>
    public static string Normalise(ReadOnlySpan<char> label)
    {
        var output = new StringBuilder(label.Length);
        foreach (var c in label.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                if (output.Length > 0 && output[^1] != ' ') output.Append(' ');
            }
            else output.Append(char.ToLowerInvariant(c));
        }

        return output.ToString().Trim();
    }

    /// <summary>A name compared without case, punctuation or legal form: "ACME Widgets, Ltd." is "acme widgets".</summary>
    public static string NormalisedName(string name)
    {
        var words = Regex.Split(name.ToLowerInvariant(), @"[^\p{L}\p{N}&]+").Where(w => w.Length > 0 && !LegalForms.Contains(w));
        return string.Join(' ', words);
    }

    private static readonly HashSet<string> LegalForms =
    [
        "gmbh", "ag", "kg", "ug", "ohg", "gbr", "ltd", "limited", "llc", "llp", "inc", "corp", "corporation", "co", "plc",
        "sa", "sas", "sarl", "sàrl", "eurl", "bv", "nv", "pvt", "pty", "kk", "k", "e", "v", "haftungsbeschränkt", "pc",
    ];

    private static readonly HashSet<string> SharedMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com", "me.com",
        "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "aol.com", "proton.me",
    };

    /// <summary>Registration numbers, IBANs and e-mail domains in the text, normalised.</summary>
    public static IEnumerable<string> KeysOf(string text)
    {
        foreach (Match match in RegisteredNumber().Matches(text))
        {
            var id = new string(match.Groups["id"].Value.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
            if (id.Count(char.IsAsciiDigit) >= 6) yield return "id:" + id;
        }

        foreach (Match match in MailDomain().Matches(text))
            if (!SharedMailDomains.Contains(match.Groups["domain"].Value))
                yield return "mail:" + match.Groups["domain"].Value.ToLowerInvariant();
    }

    /// <summary>A number after a registration label (VAT, USt-IdNr., SIRET, GSTIN, EIN, ...), or an IBAN, which needs no label.</summary>
    [GeneratedRegex(@"(?:\b(?i:vat|ust|uid|mwst|tva|gstin|ein|tax|siret|siren|abn|steuer|st\.?-?nr|company\s*(?:no|reg)|reg\.?\s*no|hrb|handelsregister|iban)[\w.\-/ ]{0,20}?[:.]?\s+(?<id>(?:[A-Z]{1,4}[ \-]?)?\d(?:[ .\-/]?[\dA-Z])+)|\b(?<id>[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?))(?![\w])")]
    private static partial Regex RegisteredNumber();

    [GeneratedRegex(@"[\w.+\-]+@(?<domain>[\w\-]+(?:\.[\w\-]+)+)")]
    private static partial Regex MailDomain();
}
