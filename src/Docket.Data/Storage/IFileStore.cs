using System.Text.RegularExpressions;

namespace Docket.Data.Storage;

/// <summary>Where uploaded originals and export files live (DESIGN.md: local folder or object storage).</summary>
public interface IFileStore
{
    /// <summary>Moves a finished temporary file into the store under <paramref name="key"/> (the temp file is consumed).</summary>
    Task ImportAsync(string key, string temporaryPath, CancellationToken cancellationToken);

    Task PutAsync(string key, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a stored file; throws <see cref="FileNotFoundException"/> when it is missing.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>A local path to read the file from (external tools need one); dispose when done.</summary>
    Task<LocalCopy> GetLocalCopyAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes the file if it exists.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    Task<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

/// <summary>A readable local file; for remote stores a temporary copy that disposing deletes.</summary>
public sealed class LocalCopy(string path, bool temporary) : IDisposable
{
    public string Path { get; } = path;

    public void Dispose()
    {
        if (temporary) File.Delete(Path);
    }
}

public static partial class StorageKeys
{
    public static string ForDocument(Guid documentId)
    {
        var id = documentId.ToString("N");
        return $"documents/{id[^2..]}/{id}";
    }

    public static string ForExport(Guid exportId, string format) => $"exports/{exportId:N}.{format}";

    /// <summary>
    /// The key of a document whose bytes are in the database (table document_contents), not in the file store.
    /// No file store is ever asked for it: <see cref="IsInDatabase"/> sends callers to the table.
    /// </summary>
    public static string InDatabase(Guid documentId) => $"{DatabasePrefix}{documentId:N}";

    public static bool IsInDatabase(string key) => key.StartsWith(DatabasePrefix, StringComparison.Ordinal);

    private const string DatabasePrefix = "database/";

    /// <summary>Keys are generated, never taken from a client; this check is a second line of defence against path escape.</summary>
    public static void Validate(string key)
    {
        if (!SafeKey().IsMatch(key) || key.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' is not a valid storage key.", nameof(key));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9/_.-]{0,255}$")]
    private static partial Regex SafeKey();
}
