using Docket.Data.Events;

namespace Docket.Data.Tests.Events;

public sealed class InProcessEventBusConformanceTests : EventBusConformance
{
    protected override Task<IEventBus> CreateBusAsync(int subscriberCapacity) =>
        Task.FromResult<IEventBus>(new InProcessEventBus(subscriberCapacity));
}
