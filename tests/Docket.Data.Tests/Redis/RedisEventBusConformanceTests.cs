using Docket.Data.Events;
using Docket.Data.Redis;
using Docket.Data.Tests.Events;

namespace Docket.Data.Tests.Redis;

/// <summary>The bus contract against the real Redis server of the test run (DOCKET_TEST_REDIS).</summary>
public sealed class RedisEventBusConformanceTests : EventBusConformance
{
    protected override async Task<IEventBus> CreateBusAsync(int subscriberCapacity)
    {
        var bus = new RedisEventBus(TestRedis.Shared(), subscriberCapacity);
        await bus.ConnectedAsync().WaitAsync(TimeSpan.FromSeconds(5));
        return bus;
    }

    // SubscriptionsReadyAsync stays a no-op on purpose: Subscribe itself waits for Redis to confirm.
}
