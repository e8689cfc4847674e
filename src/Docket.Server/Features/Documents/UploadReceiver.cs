using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using Docket.Core.Uploads;
using Docket.Data.Jobs;
using Docket.Data.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Docket.Server.Features.Documents;

/// <summary>
/// A file that arrived whole and passed every check, waiting in a temporary file, or, when it is a small text
/// file (<see cref="FileKinds.IsKeptInDatabase"/>), held in <paramref name="Content"/> to be stored with its document.
/// </summary>
public sealed record ReceivedFile(string FileName, FileKind Kind, long SizeBytes, string Sha256, string? TemporaryPath, byte[]? Content = null)
{
    public NewDocument ToDocument(Guid id, Guid ownerId) =>
        new(id, ownerId, FileName, Kind.WireName(), Kind.MediaType(), SizeBytes, Sha256,
            Content is null ? StorageKeys.ForDocument(id) : StorageKeys.InDatabase(id), Content);

    /// <summary>Moves the temporary file into the file store under the document's key; bytes held here go with the document instead.</summary>
    public Task ImportAsync(IFileStore files, NewDocument document, CancellationToken cancellationToken) =>
        TemporaryPath is null ? Task.CompletedTask : files.ImportAsync(document.StorageKey, TemporaryPath, cancellationToken);
}

public sealed record UploadRefusal(int Status, string Code, string Message, string? FileName);

/// <summary>
/// Reads a multipart upload as a stream: each file goes to a temporary file in 64 KB chunks while
/// its SHA-256 and size are computed, so memory does not grow with file size. Every file is
/// checked (size, emptiness, type by content) before anything is stored; one refused file refuses
/// the request, and every temporary file is removed.
/// </summary>
public sealed class UploadReceiver(IOptions<UploadOptions> options, IOptions<Data.DocketOptions> data)
{
    private const int ChunkSize = 64 * 1024;
    private readonly UploadOptions _options = options.Value;
    private readonly string _temporaryDirectory = Path.Combine(data.Value.DataDirectory, "tmp");

    public async Task<(List<ReceivedFile> Files, UploadRefusal? Refusal)> ReceiveAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var files = new List<ReceivedFile>();
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Length == 0)
            return (files, new UploadRefusal(415, "unsupported_media_type",
                "Send the files as multipart/form-data in a field named 'files'.", null));

        var reader = new MultipartReader(HeaderUtilities.RemoveQuotes(contentType.Boundary).ToString(), request.Body)
        {
            BodyLengthLimit = null,
        };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.IsFileDisposition())
                    continue;
                if (files.Count == _options.MaxFilesPerRequest)
                    return Refuse(files, new UploadRefusal(400, "too_many_files",
                        $"At most {_options.MaxFilesPerRequest} files per request.", null));

                var rawName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : disposition.FileName.Value;
                var (file, refusal) = await ReceiveFileAsync(FileNameSanitizer.Sanitize(HeaderUtilities.RemoveQuotes(rawName).ToString()),
                    section.Body, cancellationToken);
                if (refusal is not null) return Refuse(files, refusal);
                files.Add(file!);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            return Refuse(files, new UploadRefusal(400, "malformed_upload", $"The multipart body could not be read: {ex.Message}", null));
        }
        catch
        {
            Discard(files);
            throw;
        }

        return files.Count == 0
            ? (files, new UploadRefusal(400, "no_files", "No files in the request; send them in a multipart field named 'files'.", null))
            : (files, null);
    }

    public static void Discard(IEnumerable<ReceivedFile> files)
    {
        foreach (var file in files)
            if (file.TemporaryPath is not null) TryDelete(file.TemporaryPath);
    }

    /// <summary>
    /// One file through the same checks as an upload (the consume folder reads files this way). The first
    /// <see cref="FileKinds.MaxBytesInDatabase"/> bytes are held in memory: a small text file never touches the
    /// disk here; anything else, or anything longer, goes on to a temporary file.
    /// </summary>
    public async Task<(ReceivedFile?, UploadRefusal?)> ReceiveFileAsync(string fileName, Stream body, CancellationToken cancellationToken)
    {
        string? path = null;
        FileStream? output = null;
        var keep = false;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var small = ArrayPool<byte>.Shared.Rent(FileKinds.MaxBytesInDatabase);
        var head = new byte[ContentSniffer.HeadLength];
        var headLength = 0;
        long size = 0;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                if (size + read > _options.MaxFileBytes)
                    return (null, new UploadRefusal(413, "file_too_large",
                        $"'{fileName}' is larger than the limit of {FormatBytes(_options.MaxFileBytes)}.", fileName));
                hash.AppendData(buffer, 0, read);
                if (headLength < head.Length)
                {
                    var take = Math.Min(read, head.Length - headLength);
                    buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                    headLength += take;
                }
                if (output is null && size + read <= FileKinds.MaxBytesInDatabase)
                {
                    buffer.AsSpan(0, read).CopyTo(small.AsSpan((int)size));
                }
                else
                {
                    if (output is null)
                    {
                        (path, output) = CreateTemporaryFile();
                        await output.WriteAsync(small.AsMemory(0, (int)size), cancellationToken);
                    }
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                size += read;
            }
            if (output is not null) await output.DisposeAsync();

            if (size == 0)
                return (null, new UploadRefusal(400, "empty_file", $"'{fileName}' is empty.", fileName));
            var sniffed = ContentSniffer.Sniff(fileName, head.AsSpan(0, headLength));
            if (sniffed is SniffResult.Accepted { Kind: var kind } && output is null && !FileKinds.IsKeptInDatabase(kind, size))
            {
                (path, output) = CreateTemporaryFile();
                await using (output) await output.WriteAsync(small.AsMemory(0, (int)size), cancellationToken);
            }
            switch (sniffed)
            {
                case SniffResult.Refused refused:
                    return (null, new UploadRefusal(415, refused.Code, refused.Message, fileName));
                case SniffResult.Accepted { Kind: FileKind.Docx } when !IsWordDocument(path!):
                    return (null, new UploadRefusal(415, "type_mismatch",
                        $"'{fileName}' is a zip archive but not a Word document (no word/document.xml).", fileName));
                case SniffResult.Accepted accepted:
                    keep = true;
                    var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
                    return (new ReceivedFile(fileName, accepted.Kind, size, sha256, path, path is null ? small.AsSpan(0, (int)size).ToArray() : null), null);
                default:
                    throw new InvalidOperationException("Unknown sniff result.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(small);
            if (output is not null) await output.DisposeAsync();
            if (!keep && path is not null) TryDelete(path);
        }
    }

    /// <summary>The folder is created only when missing: a mkdir of one that exists still takes its parent's lock.</summary>
    private (string Path, FileStream File) CreateTemporaryFile()
    {
        var path = Path.Combine(_temporaryDirectory, $"{Guid.NewGuid():N}.upload");
        try
        {
            return (path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true));
        }
        catch (DirectoryNotFoundException)
        {
            Directory.CreateDirectory(_temporaryDirectory);
            return (path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true));
        }
    }

    private static bool IsWordDocument(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return zip.GetEntry("word/document.xml") is not null && zip.GetEntry("[Content_Types].xml") is not null;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static (List<ReceivedFile>, UploadRefusal) Refuse(List<ReceivedFile> received, UploadRefusal refusal)
    {
        Discard(received);
        received.Clear();
        return (received, refusal);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A temp file we cannot delete is harmless; the tmp folder is scratch space.
        }
    }

    private static string FormatBytes(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MB" : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KB" : $"{bytes} bytes";
}
