using Docket.Core.Learning;

namespace Docket.Core.Tests.Learning;

public sealed class WordCountsTests
{
    [Fact]
    public void Current_ShowsAWrite_AsSoonAsItIsComplete()
    {
        var counts = new WordCounts(columns: 2);
        using (var write = counts.Write())
        {
            write.Add("invoice", 0);
            write.Add("invoice", 1, amount: 3);
        }

        Assert.Equal([1, 3], counts.Current.Of("invoice").ToArray());
        Assert.True(counts.Current.Of("receipt").IsEmpty);
    }

    [Fact]
    public void Snapshot_KeepsItsCounts_WhenLaterWritesArrive()
    {
        var counts = new WordCounts(columns: 1);
        using (var write = counts.Write()) write.Add("total", 0);
        var before = counts.Current;

        using (var write = counts.Write())
        {
            write.Add("total", 0);
            write.Add("memo", 0);
        }

        Assert.Equal([1], before.Of("total").ToArray());
        Assert.True(before.Of("memo").IsEmpty, "a word added later is not in an earlier snapshot");
        Assert.Equal((1, 2), (before.Words, counts.Current.Words));
        Assert.Equal([2], counts.Current.Of("total").ToArray());
    }

    [Fact]
    public void Write_KeepsEveryCount_WhenTheTableGrows()
    {
        var counts = new WordCounts(columns: 3);
        using (var write = counts.Write())
            for (var i = 0; i < 5000; i++) write.Add($"word{i}", i % 3, amount: i);

        var snapshot = counts.Current;
        Assert.Equal(5000, snapshot.Words);
        Assert.Equal([0, 0, 4322], snapshot.Of("word4322").ToArray());
        Assert.Equal([0, 7, 0], snapshot.Of("word7").ToArray());
    }

    [Fact]
    public void Current_IsTheSameSnapshot_UntilSomethingIsWritten()
    {
        var counts = new WordCounts(columns: 1);
        using (var write = counts.Write()) write.Add("a", 0);
        Assert.Same(counts.Current, counts.Current);
    }

    [Fact]
    public void Add_RefusesAColumnOutsideTheTable()
    {
        var counts = new WordCounts(columns: 2);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using var write = counts.Write();
            write.Add("x", 2);
        });
    }
}
