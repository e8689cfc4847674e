using Docket.Bench;

namespace Docket.Core.Tests.Bench;

public sealed class OcrScoreTests
{
    [Fact]
    public void Of_CountsAWordOnce_ForEveryTimeItIsInBothTexts()
    {
        var score = WordScore.Of(["TOTAL RM 9.90", "CASH RM 10.00"], "TOTAL   RM 9.90\nCASH RM IO.00\nRM");

        // Truth: TOTAL RM 9.90 CASH RM 10.00 (6); read: TOTAL RM 9.90 CASH RM IO.00 RM (7); "RM" twice in both, "10.00" misread.
        Assert.Equal(new WordScore(Truth: 6, Read: 7, Matched: 5), score);
        Assert.Equal(5.0 / 6, score.Recall, 6);
        Assert.Equal(5.0 / 7, score.Precision, 6);
    }

    [Fact]
    public void Of_IgnoresCase_ButNotPunctuation()
    {
        Assert.Equal(1, WordScore.Of(["THANK YOU."], "Thank You").Matched);
    }

    [Fact]
    public void BoxLines_TakeTheTextAfterTheEightCorners_CommasAndAll()
    {
        var lines = WordScore.BoxLines("126,191,297,191,297,214,126,214,27,JALAN DEDAP 13,\r\n1,2,3,4,5,6,7,8,TOTAL\n\n");

        Assert.Equal(["27,JALAN DEDAP 13,", "TOTAL"], lines);
    }
}
