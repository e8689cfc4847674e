using System.Diagnostics;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Deploy;

/// <summary>
/// No Docker engine runs here, so images are never built in CI; what can be checked is that the
/// compose file is valid and describes the stack (Debian's docker-compose validates without an engine).
/// </summary>
public class ComposeFileTests
{
    private static readonly string ComposeFile = Path.Combine(Samples.RepoRoot, "deploy", "docker-compose.yml");

    [Fact]
    public async Task TheComposeFile_IsValid()
    {
        var (exitCode, output) = await DockerComposeAsync("config", "-q");

        Assert.True(exitCode == 0, $"docker-compose config failed:\n{output}");
    }

    [Fact]
    public async Task TheComposeFile_DescribesDatabaseBusApiWorkersAndProxy()
    {
        var (exitCode, output) = await DockerComposeAsync("config", "--services");

        Assert.Equal(0, exitCode);
        Assert.Equal(["api", "migrate", "nginx", "postgres", "redis", "worker"],
            output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
    }

    private static async Task<(int ExitCode, string Output)> DockerComposeAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-f", ComposeFile, .. arguments]) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("docker-compose is not installed; `make test` installs it (scripts/test-services.sh).");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
