using Docket.Server.Features.Streams;

namespace Docket.Server.Tests.Features.Streams;

public sealed class ChangeFeedSubscriptionTests
{
    [Fact]
    public async Task AClientThatFallsBehind_IsDetachedAsLagged_AndStillReadsEverythingQueuedBefore()
    {
        var subscription = new ChangeFeedSubscription(owner: null, through: 7);
        var offered = 0;
        while (subscription.Offer(new byte[] { (byte)offered })) offered++;

        var read = new List<byte>();
        while (await subscription.Frames.WaitToReadAsync())
            while (subscription.Frames.TryRead(out var frame)) read.Add(frame.Span[0]);

        Assert.True(subscription.Lagged);
        Assert.Equal(Enumerable.Range(0, offered).Select(i => (byte)i), read);
        // Nothing was served beyond where it joined: it catches up from there.
        Assert.Equal(7, subscription.Through);
    }
}
