using System.Text;
using Docket.Data.Storage;

namespace Docket.Data.Tests.Storage;

public sealed class LocalFileStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-data-tests", $"files-{Guid.NewGuid():N}");
    private readonly LocalFileStore _store;

    public LocalFileStoreTests() => _store = new LocalFileStore(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Put_ThenOpen_ReturnsTheSameBytes_AndDeleteRemovesThem()
    {
        var key = StorageKeys.ForDocument(Guid.NewGuid());
        var content = Encoding.UTF8.GetBytes("Invoice 42\nTotal: 10.00 EUR");

        await _store.PutAsync(key, new MemoryStream(content), CancellationToken.None);

        Assert.Equal(content, await ReadAsync(key));
        using (var copy = await _store.GetLocalCopyAsync(key, CancellationToken.None))
            Assert.Equal(content, await File.ReadAllBytesAsync(copy.Path));
        Assert.Empty(Directory.GetFiles(_root, "*.partial", SearchOption.AllDirectories));

        await _store.DeleteAsync(key, CancellationToken.None);

        await Assert.ThrowsAsync<FileNotFoundException>(() => _store.OpenReadAsync(key, CancellationToken.None));
    }

    [Fact]
    public async Task Put_ReplacesAnExistingFile()
    {
        var key = StorageKeys.ForExport(Guid.NewGuid(), "csv");
        await _store.PutAsync(key, new MemoryStream("old, longer content"u8.ToArray()), CancellationToken.None);

        await _store.PutAsync(key, new MemoryStream("new"u8.ToArray()), CancellationToken.None);

        Assert.Equal("new"u8.ToArray(), await ReadAsync(key));
    }

    [Fact]
    public async Task Import_MovesTheTemporaryFileIntoTheStore()
    {
        var key = StorageKeys.ForDocument(Guid.NewGuid());
        var temporary = Path.Combine(Path.GetTempPath(), "docket-data-tests", $"upload-{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temporary, "uploaded");

        await _store.ImportAsync(key, temporary, CancellationToken.None);

        Assert.False(File.Exists(temporary));
        Assert.Equal("uploaded"u8.ToArray(), await ReadAsync(key));
    }

    [Fact]
    public async Task Delete_OfAMissingKey_DoesNothing()
    {
        await _store.DeleteAsync(StorageKeys.ForDocument(Guid.NewGuid()), CancellationToken.None);
        await _store.DeleteAsync("never-written", CancellationToken.None);
    }

    [Fact]
    public async Task GetLocalCopy_OfAMissingKey_ThrowsFileNotFound()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            _store.GetLocalCopyAsync(StorageKeys.ForDocument(Guid.NewGuid()), CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("documents/../../escape")]
    [InlineData("documents/..")]
    [InlineData("/etc/passwd")]
    [InlineData("documents\\ab\\file")]
    [InlineData("..\\escape")]
    [InlineData("Documents/ab/file")]
    [InlineData("documents/AB/file")]
    [InlineData("")]
    [InlineData(".hidden")]
    public async Task EveryOperation_RefusesAnUnsafeKey(string key)
    {
        var temporary = Path.Combine(Path.GetTempPath(), "docket-data-tests", $"upload-{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temporary, "x");
        try
        {
            await Assert.ThrowsAsync<ArgumentException>(() => _store.PutAsync(key, new MemoryStream([1]), CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => _store.ImportAsync(key, temporary, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(key, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => _store.GetLocalCopyAsync(key, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(key, CancellationToken.None));
            Assert.True(File.Exists(temporary), "a refused import must leave the temporary file alone");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [Fact]
    public async Task IsHealthy_IsTrue_ForAWritableRoot()
    {
        Assert.True(await _store.IsHealthyAsync(CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_root));
    }

    private async Task<byte[]> ReadAsync(string key)
    {
        await using var stream = await _store.OpenReadAsync(key, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
