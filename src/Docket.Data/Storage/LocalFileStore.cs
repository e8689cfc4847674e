namespace Docket.Data.Storage;

/// <summary>Files under one root folder (embedded mode, or a shared mount in distributed mode).</summary>
public sealed class LocalFileStore : IFileStore
{
    private readonly string _root;

    public LocalFileStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public Task ImportAsync(string key, string temporaryPath, CancellationToken cancellationToken)
    {
        var target = Resolve(key);
        InFolderOf(target, () => File.Move(temporaryPath, target, overwrite: true));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Creates the folder only when it is missing: a mkdir of one that exists still takes its parent's lock,
    /// which every upload would otherwise contend for.
    /// </summary>
    private static void InFolderOf(string target, Action create)
    {
        try
        {
            create();
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            create();
        }
    }

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var target = Resolve(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Write beside the target and rename, so a reader never sees half a file.
        var partial = target + ".partial";
        await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            await content.CopyToAsync(file, cancellationToken);
        File.Move(partial, target, overwrite: true);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(Resolve(key), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));

    public Task<LocalCopy> GetLocalCopyAsync(string key, CancellationToken cancellationToken)
    {
        var path = Resolve(key);
        if (!File.Exists(path)) throw new FileNotFoundException($"The stored file '{key}' is missing.", path);
        return Task.FromResult(new LocalCopy(path, temporary: false));
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var path = Resolve(key);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // File.Delete ignores a missing file but not a missing folder; either way there is nothing to delete.
        }
        return Task.CompletedTask;
    }

    public Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var probe = Path.Combine(_root, $".health-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return Task.FromResult(true);
        }
        catch (IOException)
        {
            return Task.FromResult(false);
        }
        catch (UnauthorizedAccessException)
        {
            return Task.FromResult(false);
        }
    }

    private string Resolve(string key)
    {
        StorageKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"'{key}' resolves outside the storage root.", nameof(key));
        return path;
    }
}
