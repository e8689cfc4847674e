using Docket.Core.Jobs;
using static Docket.Core.Jobs.JobState;

namespace Docket.Core.Tests.Jobs;

public class JobStateMachineTests
{
    /// <summary>
    /// The allowed moves, written out independently of the code. From DESIGN.md "State machines":
    /// queued -> running -> succeeded | failed | cancelled; running -> queued (lease expired or
    /// retry scheduled). A queued job may be cancelled too: a queued document may be cancelled
    /// (DESIGN.md "any non-terminal -> cancelled"), and its job with it.
    /// A retry creates a new job, so succeeded, failed and cancelled have no exits.
    /// </summary>
    private static readonly (JobState From, JobState To)[] Allowed =
    [
        (Queued, Running),
        (Queued, Cancelled),
        (Running, Succeeded),
        (Running, Failed),
        (Running, Cancelled),
        (Running, Queued),
    ];

    public static TheoryData<JobState, JobState, bool> AllPairs()
    {
        var data = new TheoryData<JobState, JobState, bool>();
        foreach (var from in Enum.GetValues<JobState>())
        foreach (var to in Enum.GetValues<JobState>())
            data.Add(from, to, Allowed.Contains((from, to)));
        return data;
    }

    public static TheoryData<JobState> AllStates() => new(Enum.GetValues<JobState>());

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_AgreesWithTheDesignTable(JobState from, JobState to, bool allowed)
    {
        Assert.Equal(allowed, JobStateMachine.CanMove(from, to));
    }

    [Fact]
    public void TheDesignTable_CoversEveryPairOfStates_AndOnlyKnownStates()
    {
        var count = Enum.GetValues<JobState>().Length;
        Assert.Equal(count * count, AllPairs().Count());
        Assert.All(Allowed, move =>
        {
            Assert.True(Enum.IsDefined(move.From));
            Assert.True(Enum.IsDefined(move.To));
        });
        Assert.Equal(Allowed.Length, Allowed.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void SourcesOf_ListsExactlyTheStatesThatCanMoveThere(JobState to)
    {
        var expected = Enum.GetValues<JobState>().Where(from => JobStateMachine.CanMove(from, to)).Order();
        Assert.Equal(expected, JobStateMachine.SourcesOf(to).Order());
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void SourcesOf_MatchesTheDesignTable(JobState to)
    {
        var expected = Allowed.Where(m => m.To == to).Select(m => m.From).Order();
        Assert.Equal(expected, JobStateMachine.SourcesOf(to).Order());
    }

    [Theory]
    [InlineData(Queued, false)]
    [InlineData(Running, false)]
    [InlineData(Succeeded, true)]
    [InlineData(Failed, true)]
    [InlineData(Cancelled, true)]
    public void IsTerminal_IsTrueOnlyForSucceededFailedAndCancelled(JobState state, bool terminal)
    {
        Assert.Equal(terminal, JobStateMachine.IsTerminal(state));
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void IsTerminal_MeansTheStateHasNoExits(JobState state)
    {
        var hasExit = Enum.GetValues<JobState>().Any(to => JobStateMachine.CanMove(state, to));
        Assert.Equal(!hasExit, JobStateMachine.IsTerminal(state));
    }

    [Theory]
    [InlineData(Queued, false)]
    [InlineData(Running, false)]
    [InlineData(Succeeded, false)]
    [InlineData(Failed, true)]
    [InlineData(Cancelled, true)]
    public void CanRetry_IsTrueOnlyForJobsThatEndedWithoutSuccess(JobState state, bool retryable)
    {
        Assert.Equal(retryable, JobStateMachine.CanRetry(state));
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void CanRetry_HoldsOnlyForTerminalStates(JobState state)
    {
        // A retryable job is always a finished one, so a retry never races a running attempt.
        if (JobStateMachine.CanRetry(state)) Assert.True(JobStateMachine.IsTerminal(state));
        else Assert.False(state is Failed or Cancelled);
    }
}
