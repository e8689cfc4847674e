namespace Docket.Data.Model;

/// <summary>
/// Case-insensitive substring search that means the same on both providers. SQLite's LIKE already
/// ignores (ASCII) case; PostgreSQL's is case-sensitive. Queries therefore write
/// <c>EF.Functions.Like(TextSearch.Fold(column), TextSearch.Fold(pattern), TextSearch.Escape)</c>:
/// on PostgreSQL <see cref="Fold"/> is lower(), which the trigram indexes on lower(column) serve;
/// on SQLite it is the value itself, so its LIKE behaves exactly as before (lower() there would
/// fold only ASCII and stop non-ASCII capitals matching themselves).
/// </summary>
public static class TextSearch
{
    public const string Escape = "\\";

    /// <summary>A LIKE pattern matching <paramref name="text"/> anywhere, its wildcards taken literally.</summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>Only for queries: translated per provider by <see cref="DocketDbContext"/>.</summary>
    public static string? Fold(string? text) =>
        throw new InvalidOperationException("TextSearch.Fold only runs inside a database query.");
}
