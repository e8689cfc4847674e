using System.Diagnostics;
using System.Text;
using Docket.Server.Cli;
using Docket.Server.Tests.Distributed;

namespace Docket.Server.Tests.Cli;

/// <summary>The real `docket` binary as a client of a real `docket serve` process, in and out of a terminal.</summary>
public sealed class CliTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "docket-cli-tests", Guid.NewGuid().ToString("N"));
    private DocketProcess? _server;
    private string _url = "";

    private string Inputs => Path.Combine(_root, "inputs");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Inputs);
        var port = Ports.Free();
        _url = $"http://127.0.0.1:{port}";
        _server = DocketProcess.Start(Path.Combine(_root, "server.log"), new Dictionary<string, string>
        {
            ["Docket__DataDirectory"] = Path.Combine(_root, "data"),
            ["Queue__PollInterval"] = "00:00:00.050",
            ["Queue__RetryBaseDelay"] = "00:00:00.050",
            ["Queue__RetryMaxDelay"] = "00:00:00.100",
            ["Auth__Admin__Email"] = Email,
            ["Auth__Admin__Password"] = Password,
        }, "serve", "--urls", _url);
        await Ports.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => _server.HasExited, "docket serve");
        // Every command below runs as this login, kept in the test's own config folder.
        var login = await DocketWithInput(Password + "\n", "login", "--email", Email, "--password-stdin");
        Assert.True(login.ExitCode == 0, login.ToString());
    }

    private const string Email = "cli@test.docket";
    private const string Password = "a password for the command line";

    public Task DisposeAsync()
    {
        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task UploadWatch_WithoutATerminal_PrintsPlainLines_AndExits0_WhenEverythingIsProcessed()
    {
        Write("letter.txt", "Dear Mr Jones,\nThank you for your letter of 3 March.\nKind regards");
        Write(Path.Combine("more", "memo.md"), "# Memo\nThe office is closed on Friday.");

        var run = await Docket("upload", Inputs, "--watch");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("letter.txt: processed 100%", run.Stdout);
        Assert.Contains("memo.md: processed 100%", run.Stdout);
        Assert.Contains("2 processed, 0 failed or refused.", run.Stdout);
        Assert.DoesNotContain("\u001b[", run.Stdout); // no terminal escapes in logs
    }

    [Fact]
    public async Task UploadWatch_OfAThousandFiles_AtTheDefaultLimits_ProcessesEveryOne()
    {
        // The server runs with its default limits: an accounts team's morning pile must never be refused.
        for (var i = 0; i < 1000; i++)
            Write(Path.Combine("pile", $"note-{i:D4}.txt"), $"Note {i}: the delivery of batch {i * 7919 % 10007} arrived on time.");

        var run = await Docket(TimeSpan.FromMinutes(5), "upload", Path.Combine(Inputs, "pile"), "--watch");

        Assert.True(run.ExitCode == 0, run.ToString()[..Math.Min(4000, run.ToString().Length)]);
        Assert.Contains("1000 processed, 0 failed or refused.", run.Stdout);
        Assert.DoesNotContain("refused", run.Stderr);
    }

    [Fact]
    public async Task Upload_WaitsForAServerThatTakesFewFilesAtOnce_AndSendsEveryFileOnce()
    {
        // A second server whose budget is five files at once, refilled by two a second: twenty files must wait for it.
        var port = Ports.Free();
        var url = $"http://127.0.0.1:{port}";
        using var small = DocketProcess.Start(Path.Combine(_root, "small-server.log"), new Dictionary<string, string>
        {
            ["Docket__DataDirectory"] = Path.Combine(_root, "small-data"),
            ["Queue__PollInterval"] = "00:00:00.050",
            ["Auth__Admin__Email"] = Email,
            ["Auth__Admin__Password"] = Password,
            ["RateLimits__UploadFileBurst"] = "5",
            ["RateLimits__UploadFilesPerSecond"] = "2",
        }, "serve", "--urls", url);
        await Ports.WaitUntilListeningAsync(port, TimeSpan.FromSeconds(60), () => small.HasExited, "the small server");
        var environment = new Dictionary<string, string> { ["DOCKET_SERVER"] = url, ["DOCKET_CONFIG_DIR"] = Path.Combine(_root, "small-config") };
        var docket = Path.Combine(AppContext.BaseDirectory, "docket.dll");
        var login = await Run(DotnetHost, [docket, "login", "--email", Email, "--password-stdin"], environment, Password + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        for (var i = 0; i < 20; i++) Write(Path.Combine("twenty", $"note-{i:D2}.txt"), $"Note {i} of twenty.");

        var run = await Run(DotnetHost, [docket, "upload", Path.Combine(Inputs, "twenty"), "--watch"], environment);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("20 processed, 0 failed or refused.", run.Stdout);
        Assert.Contains("The server asked to wait", run.Stderr);
        var list = await Run(DotnetHost, [docket, "list"], environment);
        Assert.Equal(20, list.Stdout.Split('\n').Count(line => line.Contains("note-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task UploadWatch_ExitsWith1_AndSaysWhy_WhenADocumentFailsOrIsRefused()
    {
        Write("broken.json", """{"a": [1, 2""");
        Write("page.pdf", "<html><body>not a pdf</body></html>");
        Write("fine.txt", "A perfectly ordinary note.");

        var run = await Docket("upload", Inputs, "--watch");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("fine.txt: processed 100%", run.Stdout);
        Assert.Contains("broken.json: failed", run.Stderr);
        Assert.Contains("page.pdf: refused", run.Stderr);
    }

    [Fact]
    public async Task StatusListReviewAndExport_WorkAgainstTheServer()
    {
        Write("invoice.txt", "INVOICE\nInvoice number: INV-42\nDate: 2024-03-05\nTotal: 99.50 EUR\n");
        var upload = await Docket("upload", Path.Combine(Inputs, "invoice.txt"), "--watch");
        Assert.True(upload.ExitCode == 0, upload.ToString());
        var list = await Docket("list", "-q", "invoice");
        var id = list.Stdout.Split('\n').First(line => line.Contains("invoice.txt")).Split(' ')[0];

        var status = await Docket("status", id);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("processed", status.Stdout);
        Assert.Contains("finalised", (await Docket("review", "approve", id)).Stdout);
        Assert.Contains(id, (await Docket("list", "--status", "finalized")).Stdout);

        var csv = Path.Combine(_root, "out.csv");
        var export = await Docket("export", "--format", "csv", "--out", csv);
        Assert.True(export.ExitCode == 0, export.ToString());
        var exported = await File.ReadAllTextAsync(csv);
        Assert.Contains("invoice.txt", exported);
        Assert.Contains("INV-42", exported);
        var json = await Docket("export", "--format", "json");
        Assert.Contains("INV-42", json.Stdout);
    }

    [Fact]
    public async Task UsageErrors_ExitWith2_AndHelpIsThereForEveryCommand()
    {
        Assert.Equal(2, (await Docket("uplaod", "x")).ExitCode);
        Assert.Equal(2, (await Docket("upload")).ExitCode);
        Assert.Equal(2, (await Docket("upload", Path.Combine(_root, "missing.txt"))).ExitCode);
        Assert.Equal(2, (await Docket("status", "not-a-guid")).ExitCode);
        Assert.Equal(2, (await Docket("export", "--format", "xml")).ExitCode);
        Assert.Equal(2, (await Docket("review", "maybe", Guid.NewGuid().ToString())).ExitCode);
        foreach (var command in ClientCommands.Names)
        {
            var help = await Docket(command, "--help");
            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains("Usage:", help.Stdout);
        }
    }

    [Fact]
    public async Task WithoutALogin_TheServerRefusesTheCommand_AndTheClientSaysSo()
    {
        var run = await Run(DotnetHost, [Path.Combine(AppContext.BaseDirectory, "docket.dll"), "list"],
            new() { ["DOCKET_SERVER"] = _url, ["DOCKET_CONFIG_DIR"] = Path.Combine(_root, "nobody") });

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("unauthorized", run.Stderr + run.Stdout);
    }

    [Fact]
    public async Task AnUnreachableServer_IsAClearFailure_NotACrash()
    {
        var run = await Docket("list", "--server", $"http://127.0.0.1:{Ports.Free()}");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot reach the Docket server", run.Stderr);
    }

    [Fact]
    public async Task UploadWatch_InATerminal_DrawsProgressBars()
    {
        Write("report.txt", "Quarterly report. Revenue grew by ten percent.");
        var command = string.Join(' ', new[] { DotnetHost, Path.Combine(AppContext.BaseDirectory, "docket.dll"), "upload", Path.Combine(Inputs, "report.txt"), "--watch", "--server", _url }
            .Select(argument => "'" + argument.Replace("'", "'\\''") + "'"));

        // script(1) gives the command a pseudo-terminal; -e passes its exit code through.
        var run = await Run("script", ["-qec", command, "/dev/null"], new()
        {
            ["TERM"] = "xterm-256color", ["COLUMNS"] = "120", ["DOCKET_CONFIG_DIR"] = Path.Combine(_root, "cli-config"),
        });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("report.txt", run.Stdout);
        Assert.Contains("100%", run.Stdout);
        Assert.Contains("\u001b[", run.Stdout); // drawn, not logged
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheLoginFile_IsReadableByItsOwnerAlone()
    {
        var directory = Path.Combine(_root, "config");
        var previous = Environment.GetEnvironmentVariable("DOCKET_CONFIG_DIR");
        Environment.SetEnvironmentVariable("DOCKET_CONFIG_DIR", directory);
        try
        {
            ClientSettings.Save(new StoredLogin(_url, "a@example.com", "access", "refresh", DateTimeOffset.UtcNow.AddMinutes(15)));

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "login.json")));
            Assert.Equal("refresh", ClientSettings.Load()!.RefreshToken);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKET_CONFIG_DIR", previous);
        }
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(Inputs, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private Task<RunResult> Docket(params string[] arguments) => DocketWithInput(null, arguments);

    private Task<RunResult> Docket(TimeSpan timeout, params string[] arguments) =>
        Run(DotnetHost, [Path.Combine(AppContext.BaseDirectory, "docket.dll"), .. arguments], CliEnvironment(), null, timeout);

    private Task<RunResult> DocketWithInput(string? input, params string[] arguments) =>
        Run(DotnetHost, [Path.Combine(AppContext.BaseDirectory, "docket.dll"), .. arguments], CliEnvironment(), input);

    private Dictionary<string, string> CliEnvironment() => new() { ["DOCKET_SERVER"] = _url, ["DOCKET_CONFIG_DIR"] = Path.Combine(_root, "cli-config") };

    private static async Task<RunResult> Run(string program, IEnumerable<string> arguments, Dictionary<string, string> environment,
        string? input = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    private sealed record RunResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => new StringBuilder().AppendLine($"exit {ExitCode}").AppendLine("stdout:").AppendLine(Stdout)
            .AppendLine("stderr:").AppendLine(Stderr).ToString();
    }
}
