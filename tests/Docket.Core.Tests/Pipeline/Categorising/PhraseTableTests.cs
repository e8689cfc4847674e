using Docket.Core.Pipeline.Stages.Categorising;

namespace Docket.Core.Tests.Pipeline.Categorising;

public sealed class PhraseTableTests
{
    private static int[] Count(PhraseTable table, string text)
    {
        var tokens = new WordTokens(text);
        var counts = new int[table.KeyCount];
        table.Count(tokens, 0, tokens.Tokens.Length, counts);
        return counts;
    }

    [Fact]
    public void Count_MatchesPhrasesThatOpenWithANumberATimeAWordOrAnAffix_EachOnlyWhereItsFirstTokenFits()
    {
        var table = new PhraseTable([(0, "{n} days"), (1, "{t} uhr"), (2, "{w} bill$"), (3, "*vertrag"), (4, "rechnungs*"), (5, "payment due")]);

        var counts = Count(table, """
            Payment due within 30 days, not 12:30 days.
            Termin 14:00 Uhr, not 14 Uhr.
            The utility bill
            2024 bill
            Mietvertrag und Rechnungsnummer, Rechnung
            """);

        Assert.Equal([1, 1, 1, 1, 1, 1], counts);
    }

    [Fact]
    public void Count_CountsAKeyOncePerPosition_HoweverManyOfItsPhrasesMatchThere()
    {
        var table = new PhraseTable([(0, "{n} days | {n} | 30 days"), (1, "*vertrag | miet*")]);

        Assert.Equal([1, 1], Count(table, "30 days Mietvertrag"));
    }
}
