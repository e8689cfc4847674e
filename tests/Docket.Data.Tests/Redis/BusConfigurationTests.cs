using Docket.Data.Events;
using Docket.Data.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Docket.Data.Tests.Redis;

public sealed class BusConfigurationTests
{
    [Fact]
    public async Task TheDefaultBus_IsInProcess()
    {
        await using var services = Services([]);

        Assert.IsType<InProcessEventBus>(services.GetRequiredService<IEventBus>());
    }

    [Fact]
    public async Task ProviderRedis_GivesARedisBus_ThatReachesTheServer()
    {
        var redis = TestRedis.Shared();
        await using var services = Services(new() { ["Bus:Provider"] = "redis", ["Bus:Redis"] = $"{redis.Host}:{redis.Port},commandTimeout=2000" });

        var bus = Assert.IsType<RedisEventBus>(services.GetRequiredService<IEventBus>());
        await bus.ConnectedAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(await bus.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TheRedisBus_StopsWithAContainerDisposedSynchronously()
    {
        var redis = TestRedis.Shared();
        var services = Services(new() { ["Bus:Provider"] = "redis", ["Bus:Redis"] = $"{redis.Host}:{redis.Port}" });
        var bus = Assert.IsType<RedisEventBus>(services.GetRequiredService<IEventBus>());
        await bus.ConnectedAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var subscription = bus.Subscribe("jobs:available");

        services.Dispose();

        Assert.True(subscription.Messages.Completion.IsCompleted);
        Assert.False(bus.IsConnected);
    }

    [Theory]
    [InlineData(null, "Bus:Redis is empty")]
    [InlineData("host:port", "Bus:Redis is invalid: 'port' in the Redis connection string is not a port number")]
    [InlineData("host:6379,pasword=x", "Unknown setting 'pasword'")]
    public async Task ProviderRedis_WithABadConnectionString_FailsAtStartUp_WithAClearMessage(string? connectionString, string expected)
    {
        await using var services = Services(new() { ["Bus:Provider"] = "redis", ["Bus:Redis"] = connectionString });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BusOptions>>().Value);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task AnUnknownProvider_FailsAtStartUp()
    {
        await using var services = Services(new() { ["Bus:Provider"] = "kafka" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<BusOptions>>().Value);
        Assert.Contains("Provider", error.Message);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddDocketData()
            .BuildServiceProvider();
    }
}
