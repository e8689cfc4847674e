using System.Text;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Features.Consume;
using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Consume;

/// <summary>Files dropped into the consume folder are ingested once they are whole, exactly once, and filed away.</summary>
public sealed class ConsumeFolderTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "docket-consume-tests", Guid.NewGuid().ToString("N"));

    private string Folder => Path.Combine(_dataDirectory, "consume");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task ADroppedFile_BecomesADocument_AndIsMovedToProcessed()
    {
        await using var server = Server();
        using var client = server.CreateAuthenticatedClient(Roles.Admin);
        var text = "Invoice number: C-1\nTotal: 10.00 EUR\n";

        await Drop("scan 1.txt", text);

        var document = await SingleDocumentAsync(client, "scan 1.txt");
        await client.WaitForDocumentAsync(document.Guid("id"), "processed");
        Assert.Equal(text, await File.ReadAllTextAsync(Path.Combine(Folder, "processed", "scan 1.txt")));
        Assert.Empty(Directory.EnumerateFiles(Folder));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Folder, ".ingesting")));
    }

    [Fact]
    public async Task AFileStillBeingWritten_IsNotIngestedUntilItStopsChanging()
    {
        // The folder is scanned by hand on a clock of our own, so the test does not depend on how fast this machine is.
        await using var server = DocketFactory.Create(new Dictionary<string, string?>
        {
            ["Docket:DataDirectory"] = _dataDirectory,
            ["Consume:Enabled"] = "false",
            ["Consume:StableFor"] = "00:00:02",
        });
        using var client = server.CreateAuthenticatedClient(Roles.Admin);
        var clock = new ManualClock();
        var consumer = ActivatorUtilities.CreateInstance<ConsumeFolder>(server.Services, clock);
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, "growing.txt");

        var written = new StringBuilder();
        for (var i = 1; i <= 5; i++)
        {
            var line = $"Line {i} of a long letter that arrives slowly.\n";
            await File.AppendAllTextAsync(path, line);
            written.Append(line);
            await consumer.ScanAsync(CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1.5));
            await consumer.ScanAsync(CancellationToken.None);
            Assert.True(File.Exists(path), $"taken after line {i}, while still being written");
        }
        clock.Advance(TimeSpan.FromSeconds(2));
        await consumer.ScanAsync(CancellationToken.None);

        var document = await SingleDocumentAsync(client, "growing.txt");
        Assert.Equal(Encoding.UTF8.GetByteCount(written.ToString()), document.GetProperty("size_bytes").GetInt64());
    }

    [Fact]
    public async Task APartialName_IsLeftAlone_UntilTheWriterRenamesIt()
    {
        await using var server = Server();
        using var client = server.CreateAuthenticatedClient(Roles.Admin);
        await Drop("report.txt.part", "Quarterly report: revenue grew.");

        await Task.Delay(1000);
        Assert.Equal(0, await DocumentCountAsync(client));
        Assert.True(File.Exists(Path.Combine(Folder, "report.txt.part")));

        File.Move(Path.Combine(Folder, "report.txt.part"), Path.Combine(Folder, "report.txt"));
        await SingleDocumentAsync(client, "report.txt");
    }

    [Fact]
    public async Task TheSameContentDroppedAgain_AfterARestart_IsNotIngestedTwice_AndSaysWhy()
    {
        Guid first;
        await using (var server = Server())
        {
            using var client = server.CreateAuthenticatedClient(Roles.Admin);
            await Drop("memo.txt", "Memo: the office is closed on Friday.");
            first = (await SingleDocumentAsync(client, "memo.txt")).Guid("id");
        }

        await using var restarted = Server();
        using var again = restarted.CreateAuthenticatedClient(Roles.Admin);
        await Drop("memo copy.txt", "Memo: the office is closed on Friday.");

        var reason = await Wait.UntilAsync(() => ReadIfExists(Path.Combine(Folder, "failed", "memo copy.txt.reason.txt")),
            text => text is not null, "the duplicate to be filed under failed/");
        Assert.Contains(first.ToString(), reason);
        Assert.True(File.Exists(Path.Combine(Folder, "failed", "memo copy.txt")));
        Assert.Equal(1, await DocumentCountAsync(again));
    }

    [Fact]
    public async Task AClaimLeftBehindByACrash_IsFinishedUnderItsOwnId_Once_EvenIfTheDocumentWasAlreadyAdded()
    {
        var id = Guid.CreateVersion7();
        var ingesting = Path.Combine(Folder, ".ingesting");
        Directory.CreateDirectory(ingesting);
        await File.WriteAllTextAsync(Path.Combine(ingesting, $"{id:N}_letter.txt"), "Dear Ms Smith, thank you for your letter.");

        await using var server = Server();
        using var client = server.CreateAuthenticatedClient(Roles.Admin);
        var document = await SingleDocumentAsync(client, "letter.txt");
        Assert.Equal(id, document.Guid("id"));

        // As if the process died after adding the document but before moving the file out of the working area.
        File.Copy(Path.Combine(Folder, "processed", "letter.txt"), Path.Combine(ingesting, $"{id:N}_letter.txt"));
        await Wait.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(Folder, "processed", "letter (2).txt"))),
            moved => moved, "the recovered file to be moved to processed/");
        Assert.Equal(1, await DocumentCountAsync(client));
        Assert.False(Directory.Exists(Path.Combine(Folder, "failed")));
    }

    [Fact]
    public async Task AFileTheUploadChecksRefuse_IsMovedToFailed_BesideItsReason_AndStoresNothing()
    {
        await using var server = Server();
        using var client = server.CreateAuthenticatedClient(Roles.Admin);

        await Drop("invoice.pdf", "<html><script>alert(1)</script></html>");
        await Drop("empty.txt", "");

        var typeReason = await Wait.UntilAsync(() => ReadIfExists(Path.Combine(Folder, "failed", "invoice.pdf.reason.txt")),
            text => text is not null, "the HTML file to be refused");
        Assert.Contains("invoice.pdf", typeReason);
        var emptyReason = await Wait.UntilAsync(() => ReadIfExists(Path.Combine(Folder, "failed", "empty.txt.reason.txt")),
            text => text is not null, "the empty file to be refused");
        Assert.Contains("empty", emptyReason);
        Assert.Equal(0, await DocumentCountAsync(client));
        // A small text file never needed one.
        var temporary = Path.Combine(_dataDirectory, "tmp");
        Assert.Empty(Directory.Exists(temporary) ? Directory.EnumerateFiles(temporary) : []);
    }

    private DocketFactory Server(string stableFor = "00:00:00.300") => DocketFactory.Create(new Dictionary<string, string?>
    {
        ["Docket:DataDirectory"] = _dataDirectory,
        ["Consume:PollInterval"] = "00:00:00.050",
        ["Consume:StableFor"] = stableFor,
    });

    private async Task Drop(string name, string content)
    {
        Directory.CreateDirectory(Folder);
        // Written beside the folder and moved in, as a careful writer would; the partial-write case has its own test.
        var staging = Path.Combine(_dataDirectory, name);
        await File.WriteAllTextAsync(staging, content);
        File.Move(staging, Path.Combine(Folder, name));
    }

    private static async Task<string?> ReadIfExists(string path) => File.Exists(path) ? await File.ReadAllTextAsync(path) : null;

    private static async Task<int> DocumentCountAsync(HttpClient client) =>
        (await client.GetJsonAsync("/api/v1/documents")).GetProperty("total").GetInt32();

    private static async Task<JsonElement> SingleDocumentAsync(HttpClient client, string filename)
    {
        var page = await Wait.UntilAsync(() => client.GetJsonAsync("/api/v1/documents"),
            documents => documents.GetProperty("total").GetInt32() > 0, $"'{filename}' to be consumed");
        var document = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(filename, document.Str("filename"));
        return document;
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
