using System.Text;

namespace Docket.Core.Uploads;

/// <summary>
/// Turns a client-supplied file name into one that is safe to show, log and put in a
/// Content-Disposition header. It is never used as a storage path (storage keys are ids).
/// </summary>
public static class FileNameSanitizer
{
    public const int MaxLength = 200;
    private const string Fallback = "document";

    public static string Sanitize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return Fallback;

        // Browsers and curl may send a full client path; only the last segment is the name.
        var lastSeparator = name.LastIndexOfAny(['/', '\\']);
        if (lastSeparator >= 0) name = name[(lastSeparator + 1)..];

        var builder = new StringBuilder(name.Length);
        var previousWasSpace = false;
        foreach (var c in ReplaceLoneSurrogates(name).Normalize(NormalizationForm.FormC))
        {
            if (char.IsControl(c) || c is '<' or '>' or ':' or '"' or '|' or '?' or '*' or '\u2028' or '\u2029')
            {
                builder.Append('_');
                previousWasSpace = false;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (!previousWasSpace) builder.Append(' ');
                previousWasSpace = true;
            }
            else
            {
                builder.Append(c);
                previousWasSpace = false;
            }
        }

        // Whitespace is already collapsed to ' ', so this trims any mix of spaces and dots (". . x").
        var cleaned = builder.ToString().Trim(' ', '.');
        if (cleaned.Length == 0 || cleaned.All(c => c == '_')) return Fallback;
        if (cleaned.Length <= MaxLength) return cleaned;

        var extension = Path.GetExtension(cleaned);
        if (extension.Length > 16) extension = "";
        var stem = cleaned[..(MaxLength - extension.Length)];
        // Do not cut a surrogate pair in half.
        if (char.IsHighSurrogate(stem[^1])) stem = stem[..^1];
        return stem.TrimEnd(' ', '.') + extension;
    }

    /// <summary>
    /// A lone surrogate makes <see cref="string.Normalize()"/> throw (with ICU) and cannot be
    /// encoded as UTF-8 for headers or the database, so it becomes '_' like any unusable character.
    /// </summary>
    private static string ReplaceLoneSurrogates(string name)
    {
        if (!name.Any(char.IsSurrogate)) return name;
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(chars[i])) chars[i] = '_';
        }
        return new string(chars);
    }
}
