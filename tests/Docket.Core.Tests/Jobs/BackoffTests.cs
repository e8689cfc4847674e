using Docket.Core.Jobs;

namespace Docket.Core.Tests.Jobs;

public class BackoffTests
{
    private static readonly Backoff TwoSecondsUpToTenMinutes = new(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10));

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 32)]
    [InlineData(9, 512)]
    public void DelayAfter_DoublesWithEachAttempt_AtTheTopOfItsJitterRange(int attempt, int nominalSeconds)
    {
        // random just below 1 gives (almost) the full nominal delay; random 0 gives half of it.
        var top = TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0.999999999);
        var bottom = TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0);

        Assert.Equal(nominalSeconds, top.TotalSeconds, precision: 3);
        Assert.Equal(nominalSeconds / 2.0, bottom.TotalSeconds, precision: 3);
    }

    [Fact]
    public void DelayAfter_GrowsStrictlyUntilItReachesMax()
    {
        var previous = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 9; attempt++)
        {
            var delay = TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0.5);
            Assert.True(delay > previous, $"attempt {attempt}: {delay} is not longer than {previous}");
            Assert.Equal(previous == TimeSpan.Zero ? delay : previous * 2, delay);
            previous = delay;
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(20)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100)]
    public void DelayAfter_NeverExceedsMax(int attempt)
    {
        Assert.Equal(TimeSpan.FromMinutes(10).TotalMilliseconds, TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0.999999999).TotalMilliseconds, tolerance: 1);
        Assert.Equal(TimeSpan.FromMinutes(5), TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(15)]
    public void DelayAfter_StaysBetweenHalfTheNominalDelayAndTheNominalDelay(int attempt)
    {
        var nominal = TimeSpan.FromSeconds(Math.Min(2 * Math.Pow(2, attempt - 1), 600));
        for (var random = 0.0; random < 1.0; random += 0.05)
        {
            var delay = TwoSecondsUpToTenMinutes.DelayAfter(attempt, random);
            Assert.InRange(delay, nominal / 2, nominal);
        }
    }

    [Fact]
    public void DelayAfter_IsHalfFixedAndHalfRandom()
    {
        // attempt 3: nominal 8 s, so 4 s fixed plus up to 4 s of jitter.
        Assert.Equal(TimeSpan.FromSeconds(4), TwoSecondsUpToTenMinutes.DelayAfter(3, 0));
        Assert.Equal(TimeSpan.FromSeconds(5), TwoSecondsUpToTenMinutes.DelayAfter(3, 0.25));
        Assert.Equal(TimeSpan.FromSeconds(6), TwoSecondsUpToTenMinutes.DelayAfter(3, 0.5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void DelayAfter_Throws_WhenAttemptIsBelowOne(int attempt)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TwoSecondsUpToTenMinutes.DelayAfter(attempt, 0.5));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(64)]
    [InlineData(1_000)]
    [InlineData(int.MaxValue)]
    public void DelayAfter_DoesNotOverflow_ForHugeAttemptNumbers(int attempt)
    {
        var oneWeek = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromDays(7));

        Assert.Equal(TimeSpan.FromDays(7).TotalMilliseconds, oneWeek.DelayAfter(attempt, 0.999999999).TotalMilliseconds, tolerance: 1000);
        Assert.Equal(TimeSpan.FromMinutes(10).TotalMilliseconds, Backoff.Default.DelayAfter(attempt, 0.999999999).TotalMilliseconds, tolerance: 1);
        Assert.Equal(TimeSpan.FromMinutes(5), Backoff.Default.DelayAfter(attempt, 0));
    }

    [Fact]
    public void Default_StartsAtTwoSeconds_AndStopsAtTenMinutes()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Backoff.Default.Base);
        Assert.Equal(TimeSpan.FromMinutes(10), Backoff.Default.Max);
    }
}
