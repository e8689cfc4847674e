using Docket.Core.Uploads;
using Docket.Data;
using Docket.Data.Jobs;
using Docket.Data.Model;
using Docket.Data.Storage;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Docket.Server.Features.Consume;

/// <summary>Section "Consume": a folder whose files `docket serve` ingests by itself.</summary>
public sealed class ConsumeOptions
{
    public const string Section = "Consume";

    public bool Enabled { get; set; } = true;

    /// <summary>Empty: "consume" under the data folder.</summary>
    public string? Folder { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A file is complete once its size and modification time have not changed for this long.</summary>
    public TimeSpan StableFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whose documents consumed files become (an e-mail address); empty: the first administrator.</summary>
    public string? Owner { get; set; }
}

/// <summary>
/// Watches the consume folder. A file is taken once it is complete (size and time stable for a moment),
/// claimed by renaming it into ".ingesting" under a fresh document id (a rename is atomic, so two nodes sharing
/// the folder cannot both take it), ingested through the same checks as an upload, and moved to "processed"
/// or to "failed" beside a reason file. Exactly once: the content hash is recorded with the claimed document id,
/// so a copy dropped again later is a duplicate, while a file left in ".ingesting" by a crash is finished under
/// its own id, idempotently.
/// </summary>
public sealed class ConsumeFolder(
    IOptions<ConsumeOptions> options,
    IOptions<DocketOptions> docket,
    UploadReceiver receiver,
    IFileStore files,
    IJobStore store,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<ConsumeFolder> log) : BackgroundService
{
    private const string IngestingFolder = ".ingesting";
    private static readonly string[] PartialSuffixes = [".part", ".partial", ".tmp", ".crdownload", ".download", ".swp", "~"];

    private readonly ConsumeOptions _options = options.Value;
    private readonly Dictionary<string, Sighting> _sightings = [];

    public string Folder { get; } = string.IsNullOrWhiteSpace(options.Value.Folder)
        ? Path.Combine(docket.Value.DataDirectory, "consume")
        : Path.GetFullPath(options.Value.Folder);

    private string Ingesting => Path.Combine(Folder, IngestingFolder);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        Directory.CreateDirectory(Ingesting);
        log.LogInformation("Consuming files dropped into {Folder}.", Folder);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // The database or disk may be back next time; whatever was claimed is finished then.
                log.LogWarning(error, "Consuming {Folder} failed; trying again in {Interval}.", Folder, _options.PollInterval);
            }
            await Task.Delay(_options.PollInterval, clock, stoppingToken);
        }
    }

    /// <summary>One pass: claim the files that are complete, then ingest everything claimed (including a crash's leftovers).</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Ingesting);
        foreach (var path in CompleteFiles()) Claim(path);
        foreach (var claimed in Directory.EnumerateFiles(Ingesting).Order(StringComparer.Ordinal))
        {
            try
            {
                await IngestAsync(claimed, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // Stays claimed and is tried again next pass; one stuck file must not hold up the others.
                log.LogWarning(error, "Could not ingest {File} from the consume folder yet.", claimed);
            }
        }
    }

    private List<string> CompleteFiles()
    {
        var now = clock.GetUtcNow();
        var seen = new HashSet<string>();
        var complete = new List<string>();
        foreach (var info in new DirectoryInfo(Folder).EnumerateFiles())
        {
            if (IsPartial(info.Name)) continue;
            seen.Add(info.FullName);
            var sighting = new Sighting(info.Length, info.LastWriteTimeUtc, now);
            if (_sightings.TryGetValue(info.FullName, out var earlier) && earlier.Length == sighting.Length && earlier.Modified == sighting.Modified)
            {
                if (now - earlier.Since >= _options.StableFor) complete.Add(info.FullName);
                continue;
            }
            _sightings[info.FullName] = sighting;
        }
        foreach (var gone in _sightings.Keys.Where(path => !seen.Contains(path)).ToList()) _sightings.Remove(gone);
        return complete;
    }

    /// <summary>Hidden files and the names download tools and editors write to before the file is whole.</summary>
    private static bool IsPartial(string name) =>
        name.StartsWith('.') || PartialSuffixes.Any(suffix => name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));

    private void Claim(string path)
    {
        _sightings.Remove(path);
        var target = Path.Combine(Ingesting, $"{Guid.CreateVersion7():N}_{Path.GetFileName(path)}");
        try
        {
            File.Move(path, target);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Taken by another node, or removed by its owner: nothing of ours to do.
            log.LogDebug(error, "Could not claim {File}.", path);
        }
    }

    private async Task IngestAsync(string claimed, CancellationToken cancellationToken)
    {
        var claimedName = Path.GetFileName(claimed);
        if (claimedName.Length < 34 || claimedName[32] != '_' || !Guid.TryParseExact(claimedName[..32], "N", out var documentId))
        {
            Finish(claimed, claimedName, "failed", "The file was found in the consume folder's working area without a claim; it was not ingested.");
            return;
        }
        var originalName = claimedName[33..];

        ReceivedFile? received;
        UploadRefusal? refusal;
        await using (var content = new FileStream(claimed, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true))
            (received, refusal) = await receiver.ReceiveFileAsync(FileNameSanitizer.Sanitize(originalName), content, cancellationToken);
        if (refusal is not null)
        {
            Finish(claimed, originalName, "failed", refusal.Message);
            log.LogWarning("Did not ingest {File} from the consume folder: {Reason}", originalName, refusal.Message);
            return;
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<DocketDbContext>();
            var first = await RecordAsync(db, received!, documentId, cancellationToken);
            if (first.DocumentId != documentId)
            {
                var reason = $"The same content was already consumed as document {first.DocumentId} ('{first.FileName}', {first.ConsumedAt:u}); "
                             + "it was not ingested again.";
                Finish(claimed, originalName, "failed", reason);
                log.LogInformation("{File} in the consume folder is a duplicate of document {DocumentId}.", originalName, first.DocumentId);
                return;
            }
            if (!await db.Documents.AnyAsync(d => d.Id == documentId, cancellationToken))
                await AddDocumentAsync(db, received!, documentId, cancellationToken);
            Finish(claimed, originalName, "processed", null);
            log.LogInformation("Consumed {File} as document {DocumentId}.", originalName, documentId);
        }
        finally
        {
            UploadReceiver.Discard([received!]);
        }
    }

    /// <summary>Records the content under this claim's document id, unless some claim recorded it first; returns the first.</summary>
    private async Task<ConsumedFile> RecordAsync(DocketDbContext db, ReceivedFile received, Guid documentId, CancellationToken cancellationToken)
    {
        if (await db.ConsumedFiles.AsNoTracking().FirstOrDefaultAsync(c => c.Sha256 == received.Sha256, cancellationToken) is { } existing)
            return existing;
        db.ConsumedFiles.Add(new ConsumedFile
        {
            Sha256 = received.Sha256, DocumentId = documentId, FileName = received.FileName, ConsumedAt = clock.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node recorded the same content a moment ago; its claim wins.
            db.ChangeTracker.Clear();
        }
        return await db.ConsumedFiles.AsNoTracking().FirstAsync(c => c.Sha256 == received.Sha256, cancellationToken);
    }

    private async Task AddDocumentAsync(DocketDbContext db, ReceivedFile received, Guid documentId, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(db, cancellationToken);
        var document = received.ToDocument(documentId, owner);
        await received.ImportAsync(files, document, cancellationToken);
        await store.AddDocumentsAsync([document], cancellationToken);
    }

    private async Task<Guid> OwnerAsync(DocketDbContext db, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(_options.Owner))
            // The first administrator who can sign in, so the documents show up for a person; the built-in
            // local user (no password) only when no such account exists yet.
            return await db.Users.Where(u => u.Role == Roles.Admin && u.Id != DataServices.DefaultUserId)
                       .OrderBy(u => u.CreatedAt).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken)
                   ?? DataServices.DefaultUserId;
        var email = _options.Owner.Trim();
        return await db.Users.Where(u => u.Email == email).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken)
               ?? throw new InvalidOperationException($"Consume:Owner '{email}' is not a user; consumed files wait until it is.");
    }

    /// <summary>Moves the file out of the working area; a reason file beside a failed one says why.</summary>
    private void Finish(string claimed, string originalName, string outcome, string? reason)
    {
        var folder = Path.Combine(Folder, outcome);
        Directory.CreateDirectory(folder);
        var target = FreeName(folder, FileNameSanitizer.Sanitize(originalName));
        if (reason is not null) File.WriteAllText(target + ".reason.txt", reason + Environment.NewLine);
        File.Move(claimed, target);
    }

    private static string FreeName(string folder, string name)
    {
        var candidate = Path.Combine(folder, name);
        for (var n = 2; File.Exists(candidate) || File.Exists(candidate + ".reason.txt"); n++)
            candidate = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(name)} ({n}){Path.GetExtension(name)}");
        return candidate;
    }

    private sealed record Sighting(long Length, DateTime Modified, DateTimeOffset Since);
}
