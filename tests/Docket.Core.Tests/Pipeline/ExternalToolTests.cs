using System.Diagnostics;
using System.Text;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class ExternalToolTests
{
    [Fact]
    public async Task RunAsync_ReturnsExitCodeStdoutAndStderr_OfAFinishedProgram()
    {
        // The argument holds shell syntax; it must reach printf as text, not be interpreted.
        var result = await ExternalTool.RunAsync("sh", ["-c", "printf '%s' \"$1\"; echo oops >&2; exit 3", "sh", "a; echo $(id)"], CancellationToken.None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("a; echo $(id)", Encoding.UTF8.GetString(result.Stdout));
        Assert.Equal("oops\n", result.Stderr);
    }

    [Fact]
    public async Task RunAsync_KillsTheProgramAndThrows_WhenTheTimeoutPasses()
    {
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() =>
            ExternalTool.RunAsync("sleep", ["10"], CancellationToken.None, timeout: TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_KillsTheWholeProcessTree_WhenTheTimeoutPasses()
    {
        // The shell's child keeps the stdout pipe open; killing only the shell would leave the read hanging for 10 s.
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() =>
            ExternalTool.RunAsync("sh", ["-c", "sleep 10; echo done"], CancellationToken.None, timeout: TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_KillsTheProgramAndThrows_WhenStdoutExceedsTheCap()
    {
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ToolOutputTooLargeException>(() =>
            ExternalTool.RunAsync("yes", [], CancellationToken.None, maxStdoutBytes: 64 * 1024));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_KeepsOutputUpToTheCap()
    {
        var result = await ExternalTool.RunAsync("head", ["-c", "1000", "/dev/zero"], CancellationToken.None, maxStdoutBytes: 1000);
        Assert.Equal(1000, result.Stdout.Length);
    }

    [Fact]
    public async Task RunAsync_KillsTheProgram_WhenCancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ExternalTool.RunAsync("sleep", ["10"], cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_NamesTheProgram_WhenItIsNotInstalled()
    {
        var ex = await Assert.ThrowsAsync<ExternalToolException>(() =>
            ExternalTool.RunAsync("docket-no-such-tool", [], CancellationToken.None));
        Assert.Contains("docket-no-such-tool", ex.Message);
    }

    [Fact]
    public async Task RunAsync_CapsTheProgramsAddressSpace()
    {
        var result = await ExternalTool.RunAsync("sh", ["-c", "ulimit -v"], CancellationToken.None, memoryLimitBytes: 256L * 1024 * 1024);

        Assert.Equal("262144", Encoding.UTF8.GetString(result.Stdout).Trim()); // ulimit counts in KiB
    }

    [Fact]
    public async Task RunAsync_OfARealToolBeyondItsMemoryCap_EndsWithTheToolSayingSo()
    {
        // pdftoppm rendering at 600 dpi wants far more than 16 MB for its page buffer.
        var result = await ExternalTool.RunAsync("pdftoppm", ["-r", "600", "-gray", "-singlefile", OcrFixtures.ScannedReceiptPdf],
            CancellationToken.None, memoryLimitBytes: 16L * 1024 * 1024);

        Assert.True(result.RanOutOfMemory, $"exit {result.ExitCode}: {result.Stderr}");
    }

    [Fact]
    public async Task RunAsync_SetsTheGivenEnvironment_ForTheProgramOnly()
    {
        var result = await ExternalTool.RunAsync("sh", ["-c", "printf '%s' \"$DOCKET_TOOL_TEST\""], CancellationToken.None,
            environment: new Dictionary<string, string> { ["DOCKET_TOOL_TEST"] = "one thread" });

        Assert.Equal("one thread", Encoding.UTF8.GetString(result.Stdout));
        Assert.Null(Environment.GetEnvironmentVariable("DOCKET_TOOL_TEST"));
    }

    [Fact]
    public async Task RunAsync_ShowsStdoutAsItArrives()
    {
        var seen = new List<string>();

        var result = await ExternalTool.RunAsync("sh", ["-c", "printf one; sleep 0.2; printf two"], CancellationToken.None,
            onStdout: chunk => seen.Add(Encoding.UTF8.GetString(chunk.Span)));

        Assert.Equal(["one", "two"], seen);
        Assert.Equal("onetwo", Encoding.UTF8.GetString(result.Stdout));
    }

    [Fact]
    public async Task RunAsync_StopsTheProgram_WhenTheStdoutObserverThrows()
    {
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<InvalidOperationException>(() => ExternalTool.RunAsync("sh", ["-c", "echo first; sleep 10"], CancellationToken.None,
            onStdout: _ => throw new InvalidOperationException("observer failed")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }
}
