using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Docket.Data.Events;
using Docket.Data.Redis;

namespace Docket.Data.Tests.Redis;

/// <summary>What only a network bus has to get right: counted subscriptions, restarts, logins, silence.</summary>
public sealed class RedisEventBusTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly string _run = Guid.NewGuid().ToString("N");

    [Fact]
    public async Task SubscriptionsToOneChannel_ShareOneRedisSubscribe_AndTheLastToLeaveUnsubscribes()
    {
        var options = TestRedis.Shared();
        await using var bus = await ConnectedBusAsync(options);
        var channel = $"test:{_run}:shared";

        var first = bus.Subscribe(channel);
        var second = bus.Subscribe(channel);
        Assert.Equal(1, await NumSubAsync(options, channel));

        first.Dispose();
        await bus.PublishAsync(channel, Text("still here"));
        Assert.Equal("still here", await ReceiveAsync(second));
        Assert.Equal(1, await NumSubAsync(options, channel));

        second.Dispose();
        await Eventually(async () => await NumSubAsync(options, channel) == 0, "the channel was never unsubscribed");
    }

    [Fact]
    public async Task AnIdleSubscriberWithNoChannelsLeft_KeepsItsConnection_ThroughItsKeepAlivePings()
    {
        await using var server = await RedisTestServer.StartAsync();
        var options = server.Options with { CommandTimeout = TimeSpan.FromMilliseconds(150) };
        await using var bus = await ConnectedBusAsync(options);
        var channel = $"test:{_run}:idle";
        bus.Subscribe(channel).Dispose();
        await Eventually(async () => await NumSubAsync(options, channel) == 0, "the channel was never unsubscribed");

        var before = await ConnectionsReceivedAsync(options);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // about ten keep-alive pings, answered +PONG outside subscribe mode
        var after = await ConnectionsReceivedAsync(options);

        Assert.Equal(before + 1, after); // only the INFO call's own connection: the subscriber never reconnected
        using var again = bus.Subscribe(channel);
        await Eventually(async () => await NumSubAsync(options, channel) == 1, "subscribing again failed");
    }

    private static async Task<long> ConnectionsReceivedAsync(RedisOptions options)
    {
        var info = (await TestRedis.CommandAsync(options, "INFO", "stats")).Text!;
        var line = info.Split('\n').Single(l => l.StartsWith("total_connections_received:", StringComparison.Ordinal));
        return long.Parse(line.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task SubscribePattern_ReceivesEveryMatchingChannel()
    {
        await using var bus = await ConnectedBusAsync(TestRedis.Shared());
        using var all = bus.SubscribePattern($"test:{_run}:job:*");

        await bus.PublishAsync($"test:{_run}:job:1", Text("one"));
        await bus.PublishAsync($"test:{_run}:document:1", Text("not a job"));
        await bus.PublishAsync($"test:{_run}:job:2", Text("two"));

        Assert.Equal("one", await ReceiveAsync(all));
        Assert.Equal("two", await ReceiveAsync(all));
    }

    [Fact]
    public async Task AServerRestart_CompletesSubscribersReaders_ThenPublishingAndNewSubscriptionsWorkAgain()
    {
        await using var server = await RedisTestServer.StartAsync();
        await using var bus = await ConnectedBusAsync(server.Options);
        using var before = bus.Subscribe("jobs:available");
        await bus.PublishAsync("jobs:available", Text("before"));
        Assert.Equal("before", await ReceiveAsync(before));

        await server.KillAsync();

        // The listener is told it may miss messages; it is not an overflow.
        await before.Messages.Completion.WaitAsync(Patience);
        Assert.False(before.Overflowed);
        Assert.False(await bus.IsHealthyAsync(CancellationToken.None));

        // Made while Redis is down: it cannot be live, so its reader completes once Redis is back.
        using var duringOutage = bus.Subscribe("jobs:available");
        Assert.False(duringOutage.Messages.Completion.IsCompleted);

        await server.StartAsync();
        await duringOutage.Messages.Completion.WaitAsync(Patience);
        await Eventually(async () => await bus.IsHealthyAsync(CancellationToken.None), "the bus never became healthy again");

        using var after = bus.Subscribe("jobs:available");
        await bus.PublishAsync("jobs:available", Text("after")).AsTask().WaitAsync(Patience);
        Assert.Equal("after", await ReceiveAsync(after));
        Assert.False(after.Messages.Completion.IsCompleted);
    }

    [Fact]
    public async Task APublishWhileRedisIsDown_IsSentAfterTheReconnect()
    {
        await using var server = await RedisTestServer.StartAsync();
        await using var bus = await ConnectedBusAsync(server.Options);
        await server.KillAsync();
        // Until the publisher notices, a publish goes onto the dead socket and fails (honestly): wait for it to notice.
        await Eventually(() => Task.FromResult(!bus.IsConnected), "the bus did not notice the server went away");

        var queued = bus.PublishAsync("jobs:available", Text("queued")).AsTask();
        Assert.False(queued.IsCompleted);
        await server.StartAsync();

        await queued.WaitAsync(Patience);
    }

    [Fact]
    public async Task AFullPublishQueue_DropsAndCounts_WithoutBlockingTheCaller()
    {
        await using var server = await RedisTestServer.StartAsync();
        await using var bus = await ConnectedBusAsync(server.Options with { PublishQueueCapacity = 3 });
        await server.KillAsync();
        // Until the publisher notices, a publish goes onto the dead socket and fails (honestly): wait for it to notice.
        await Eventually(() => Task.FromResult(!bus.IsConnected), "the bus did not notice the server went away");

        var watch = Stopwatch.StartNew();
        var publishes = Enumerable.Range(0, 10).Select(i => bus.PublishAsync("jobs:available", Text($"m{i}")).AsTask()).ToList();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"publishing took {watch.Elapsed}");

        var refused = publishes.Where(p => p.IsFaulted).ToList();
        Assert.Equal(7, refused.Count);
        Assert.All(publishes.Take(3), p => Assert.False(p.IsCompleted));
        Assert.Equal(refused.Count, bus.DroppedPublishes);
        Assert.Contains("queue is full", refused[0].Exception!.GetBaseException().Message);
    }

    [Fact]
    public async Task Auth_WithThePassword_Connects_AndDelivers()
    {
        await using var server = await RedisTestServer.StartAsync("--requirepass", "s3cret");
        await using var bus = await ConnectedBusAsync(server.Options with { Password = "s3cret" });

        using var subscription = bus.Subscribe("jobs:available");
        await bus.PublishAsync("jobs:available", Text("hello"));

        Assert.Equal("hello", await ReceiveAsync(subscription));
        Assert.True(await bus.IsHealthyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Auth_AsAnAclUser_Connects()
    {
        await using var server = await RedisTestServer.StartAsync("--requirepass", "admin");
        var admin = server.Options with { Password = "admin" };
        var created = await TestRedis.CommandAsync(admin, "ACL", "SETUSER", "docket", "on", ">userpass", "resetchannels", "&*", "+@all");
        Assert.Equal("OK", created.Text);

        await using var bus = await ConnectedBusAsync(server.Options with { User = "docket", Password = "userpass" });
        using var subscription = bus.Subscribe("jobs:available");
        await bus.PublishAsync("jobs:available", Text("as docket"));

        Assert.Equal("as docket", await ReceiveAsync(subscription));
    }

    [Fact]
    public async Task Auth_WithAWrongPassword_FailsWithAClearError()
    {
        await using var server = await RedisTestServer.StartAsync("--requirepass", "s3cret");

        var wrong = await Assert.ThrowsAsync<RedisException>(() =>
            RedisConnection.ConnectAsync(server.Options with { Password = "guess" }, CancellationToken.None));
        var missing = await Assert.ThrowsAsync<RedisException>(() =>
            RedisConnection.ConnectAsync(server.Options, CancellationToken.None));

        Assert.Contains("refused the login", wrong.Message);
        Assert.Contains("WRONGPASS", wrong.Message);
        Assert.Contains("requires a password", missing.Message);
    }

    [Fact]
    public async Task Connect_ToAServerThatNeverAnswers_TimesOut()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var options = new RedisOptions { Host = "127.0.0.1", Port = port, CommandTimeout = TimeSpan.FromMilliseconds(300) };

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisException>(() => RedisConnection.ConnectAsync(options, CancellationToken.None));

        Assert.Contains("did not answer within 300 ms", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task APublish_ToAServerThatStopsAnswering_FailsAfterTheCommandTimeout_AndTheBusIsUnhealthy()
    {
        // Answers the login PING, then swallows everything: a hung server with the socket still open.
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var port = ((IPEndPoint)hung.LocalEndpoint).Port;
        var clients = new List<TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await hung.AcceptTcpClientAsync(stop.Token);
                lock (clients) clients.Add(client);
                var stream = client.GetStream();
                var buffer = new byte[1024];
                _ = await stream.ReadAsync(buffer, stop.Token);
                await stream.WriteAsync("+PONG\r\n"u8.ToArray(), stop.Token);
            }
        });
        var options = new RedisOptions
        {
            Host = "127.0.0.1", Port = port,
            CommandTimeout = TimeSpan.FromMilliseconds(300), MaxReconnectDelay = TimeSpan.FromMilliseconds(100),
        };
        await using var bus = new RedisEventBus(options);
        await bus.ConnectedAsync().WaitAsync(Patience);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RedisException>(() => bus.PublishAsync("jobs:available", Text("x")).AsTask().WaitAsync(Patience));
        Assert.Contains("lost before it answered", error.Message);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.False(await bus.IsHealthyAsync(CancellationToken.None));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting);
        lock (clients) clients.ForEach(c => c.Dispose());
    }

    private static async Task<RedisEventBus> ConnectedBusAsync(RedisOptions options)
    {
        var bus = new RedisEventBus(options, subscriberCapacity: 64);
        await bus.ConnectedAsync().WaitAsync(Patience);
        return bus;
    }

    private static async Task<long> NumSubAsync(RedisOptions options, string channel)
    {
        var reply = await TestRedis.CommandAsync(options, "PUBSUB", "NUMSUB", channel);
        return reply.Items![1].Integer;
    }

    private static async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < Patience, failure);
            await Task.Delay(25);
        }
    }

    private static ReadOnlyMemory<byte> Text(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<string> ReceiveAsync(IBusSubscription subscription)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var message = await subscription.Messages.ReadAsync(timeout.Token);
        return Encoding.UTF8.GetString(message.Span);
    }
}
