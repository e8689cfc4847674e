namespace Docket.Core.Jobs;

/// <summary>
/// Exponential backoff with "equal jitter": half the exponential delay is fixed, the other
/// half random, so retries of many jobs that failed together spread out but never retry
/// sooner than half the nominal delay.
/// </summary>
public sealed record Backoff(TimeSpan Base, TimeSpan Max)
{
    public static Backoff Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));

    /// <param name="attempt">The attempt that just failed, starting at 1.</param>
    /// <param name="random">A value in [0, 1).</param>
    public TimeSpan DelayAfter(int attempt, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 30);
        var nominal = Math.Min(Base.TotalMilliseconds * Math.Pow(2, exponent), Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(nominal / 2 + nominal / 2 * random);
    }
}
