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
}
