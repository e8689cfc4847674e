using Docket.Core.Documents;
using static Docket.Core.Documents.DocumentStatus;

namespace Docket.Core.Tests.Documents;

public class DocumentStateMachineTests
{
    /// <summary>
    /// The allowed moves, written out independently of the code. From DESIGN.md "State machines":
    /// uploaded -> queued -> processing -> processed -> finalized; processing -> failed -> queued;
    /// processed -> rejected; processed|rejected|failed -> queued; queued|processing -> cancelled.
    /// Documented departures: processing -> queued (lease expired / retry scheduled),
    /// cancelled -> queued (retry of a cancelled job), uploaded -> cancelled.
    /// Everything else, including every self-move and every move out of finalized, is refused.
    /// </summary>
    private static readonly (DocumentStatus From, DocumentStatus To)[] Allowed =
    [
        (Uploaded, Queued),
        (Uploaded, Cancelled),
        (Queued, Processing),
        (Queued, Cancelled),
        (Processing, Processed),
        (Processing, Failed),
        (Processing, Queued),
        (Processing, Cancelled),
        (Processed, Finalized),
        (Processed, Rejected),
        (Processed, Queued),
        (Rejected, Queued),
        (Failed, Queued),
        (Cancelled, Queued),
    ];

    public static TheoryData<DocumentStatus, DocumentStatus, bool> AllPairs()
    {
        var data = new TheoryData<DocumentStatus, DocumentStatus, bool>();
        foreach (var from in Enum.GetValues<DocumentStatus>())
        foreach (var to in Enum.GetValues<DocumentStatus>())
            data.Add(from, to, Allowed.Contains((from, to)));
        return data;
    }

    public static TheoryData<DocumentStatus> AllStatuses() => new(Enum.GetValues<DocumentStatus>());

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void CanMove_AgreesWithTheDesignTable(DocumentStatus from, DocumentStatus to, bool allowed)
    {
        Assert.Equal(allowed, DocumentStateMachine.CanMove(from, to));
    }

    [Fact]
    public void TheDesignTable_CoversEveryPairOfStatuses_AndOnlyKnownStatuses()
    {
        var count = Enum.GetValues<DocumentStatus>().Length;
        Assert.Equal(count * count, AllPairs().Count());
        Assert.All(Allowed, move =>
        {
            Assert.True(Enum.IsDefined(move.From));
            Assert.True(Enum.IsDefined(move.To));
        });
        Assert.Equal(Allowed.Length, Allowed.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void SourcesOf_ListsExactlyTheStatusesThatCanMoveThere(DocumentStatus to)
    {
        var expected = Enum.GetValues<DocumentStatus>().Where(from => DocumentStateMachine.CanMove(from, to)).Order();
        Assert.Equal(expected, DocumentStateMachine.SourcesOf(to).Order());
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void SourcesOf_MatchesTheDesignTable(DocumentStatus to)
    {
        var expected = Allowed.Where(m => m.To == to).Select(m => m.From).Order();
        Assert.Equal(expected, DocumentStateMachine.SourcesOf(to).Order());
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void TargetsOf_ListsExactlyTheStatusesItCanMoveTo(DocumentStatus from)
    {
        var expected = Allowed.Where(m => m.From == from).Select(m => m.To).Order();
        Assert.Equal(expected, DocumentStateMachine.TargetsOf(from).Order());
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void IsReadOnly_IsTrueOnlyForFinalized(DocumentStatus status)
    {
        Assert.Equal(status == Finalized, DocumentStateMachine.IsReadOnly(status));
    }

    [Fact]
    public void Finalized_HasNoWayOut()
    {
        Assert.Empty(DocumentStateMachine.TargetsOf(Finalized));
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void IsActive_IsTrueOnlyWhileAJobIsOrWillBeWorking(DocumentStatus status)
    {
        var expected = status is Uploaded or Queued or Processing;
        Assert.Equal(expected, DocumentStateMachine.IsActive(status));
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void ActiveStatuses_CanBeCancelled_AndRestingOnesCannot(DocumentStatus status)
    {
        Assert.Equal(DocumentStateMachine.IsActive(status), DocumentStateMachine.CanMove(status, Cancelled));
    }
}
