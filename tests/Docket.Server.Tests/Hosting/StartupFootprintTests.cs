using System.Text.Json;
using Docket.Core.Learning;
using Docket.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Docket.Server.Tests.Hosting;

/// <summary>What a server does at start that nobody asked for costs memory on every node (docs/benchmarks.md, the upload's RSS).</summary>
public class StartupFootprintTests
{
    [Fact]
    public async Task AStartedServer_RunsNoDataProtectionKeyRing()
    {
        await using var factory = new DocketFactory();
        _ = factory.CreateClient();

        var hostedServices = factory.Services.GetServices<IHostedService>().Select(service => service.GetType().FullName).ToList();

        Assert.NotEmpty(hostedServices);
        Assert.DoesNotContain(hostedServices, name => name!.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnApiOnlyServer_KeepsNoLearners_AndOneWithAWorkerKeepsAll()
    {
        await using var apiOnly = new NoWorkerFactory();
        await using var withWorker = new DocketFactory();

        Assert.Empty(apiOnly.Services.GetServices<ILearner>());
        Assert.Equal(3, withWorker.Services.GetServices<ILearner>().Count());
    }

    /// <summary>Decisions 60 and 65: read by the runtime from the file beside docket.dll, however the process is started.</summary>
    [Fact]
    public void TheProgramsRuntimeConfig_CountsCallsFromTheStart_AndOptimisesAfter256Calls()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docket.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.Equal(0, properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
        Assert.Equal(256, properties.GetProperty("System.Runtime.TieredCompilation.CallCountThreshold").GetInt32());
    }
}
