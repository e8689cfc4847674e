namespace Docket.Server.Tests.Infrastructure;

/// <summary>Polling with a deadline: fast polls so tests finish quickly, a generous deadline so a slow machine is not a failure.</summary>
public static class Wait
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(25);

    /// <summary>Polls <paramref name="probe"/> until it returns a value <paramref name="done"/> accepts.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? Deadline);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Timed out waiting for {what}; last seen: {value}");
            await Task.Delay(PollEvery);
        }
    }
}
