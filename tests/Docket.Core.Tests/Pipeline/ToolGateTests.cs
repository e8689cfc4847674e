using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class ToolGateTests
{
    [Fact]
    public async Task Enter_LetsLimitCallersIn_AndTheNextOneWhenATurnEnds()
    {
        var gate = new ToolGate(2);
        var first = await gate.EnterAsync(CancellationToken.None);
        var second = await gate.EnterAsync(CancellationToken.None);

        var third = gate.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(third.IsCompleted);
        Assert.Equal(1, gate.Queued);

        first.Dispose();
        first.Dispose(); // a turn ends once, however often it is disposed
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, gate.Queued);

        // Both turns are back: two more callers get in at once, a third still waits.
        second.Dispose();
        var again = new[] { await gate.EnterAsync(CancellationToken.None), await gate.EnterAsync(CancellationToken.None) };
        Assert.False(gate.EnterAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task Enter_CancelledWhileWaiting_LeavesTheQueue_AndTakesNoTurn()
    {
        var gate = new ToolGate(1);
        var holder = await gate.EnterAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = gate.EnterAsync(cancel.Token);
        Assert.Equal(1, gate.Queued);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, gate.Queued);
        holder.Dispose();
        var next = gate.EnterAsync(CancellationToken.None);
        Assert.True(next.IsCompletedSuccessfully);
    }
}
