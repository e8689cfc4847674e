using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Fields.Ranking;

namespace Docket.Core.Tests.Pipeline.Fields;

public sealed class TypeSizesTests
{
    private static PositionedWord Word(string text, string word, double height, int page = 1)
    {
        var start = text.IndexOf(word, StringComparison.Ordinal);
        return new PositionedWord(start, start + word.Length, page, new PageBox(0.1, 0.1, 0.3, 0.1 + height), 0, 0);
    }

    [Fact]
    public void ANamePrintedLarge_IsTallerThanTheBody_AndTheTallestOnThePage()
    {
        const string text = "Acme Tools\nInvoice 42\nTotal 9.50\n";
        var geometry = new TextGeometry([new PageSize(600, 800, "pt")],
            [Word(text, "Acme", 0.04), Word(text, "Tools", 0.04), Word(text, "Invoice", 0.01), Word(text, "42", 0.01),
             Word(text, "Total", 0.01), Word(text, "9.50", 0.01)]);
        var sizes = TypeSizes.Of(geometry);

        Assert.Equal((4.0, true), sizes.Of(1, 0, "Acme Tools".Length));
        var total = text.IndexOf("Total", StringComparison.Ordinal);
        Assert.Equal((1.0, false), sizes.Of(1, total, total + 5));
    }

    [Fact]
    public void WithoutGeometry_EveryValueReadsAsBodyType()
    {
        Assert.Equal((1.0, false), TypeSizes.Of(null).Of(1, 0, 4));
    }
}
