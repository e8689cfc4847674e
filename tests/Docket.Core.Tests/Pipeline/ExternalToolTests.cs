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
}
