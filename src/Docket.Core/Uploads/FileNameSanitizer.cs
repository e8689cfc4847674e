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
        foreach (var c in name.Normalize(NormalizationForm.FormC))
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

        var cleaned = builder.ToString().Trim().Trim('.').Trim();
        if (cleaned.Length == 0 || cleaned.All(c => c == '_')) return Fallback;
        if (cleaned.Length <= MaxLength) return cleaned;

        var extension = Path.GetExtension(cleaned);
        if (extension.Length > 16) extension = "";
        var stem = cleaned[..(MaxLength - extension.Length)];
        // Do not cut a surrogate pair in half.
        if (char.IsHighSurrogate(stem[^1])) stem = stem[..^1];
        return stem.TrimEnd() + extension;
    }
}
