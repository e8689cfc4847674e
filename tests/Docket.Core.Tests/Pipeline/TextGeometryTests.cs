using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class TextGeometryTests
{
    private static readonly PageBox Left = new(0.1, 0.1, 0.2, 0.12);
    private static readonly PageBox Right = new(0.6, 0.1, 0.8, 0.12);

    private static LaidOutPage Page(string text, params (string Word, PageBox Box)[] words) => new(text, new PageSize(600, 800, "pt"),
        words.Select(w => new PositionedWord(text.IndexOf(w.Word, StringComparison.Ordinal), text.IndexOf(w.Word, StringComparison.Ordinal) + w.Word.Length, 0, w.Box, 0, 0)).ToList());

    [Fact]
    public void Join_NumbersThePages_AndCountsEachWordsCharactersInTheWholeText()
    {
        var text = PageText.Join([Page("Invoice  7\n", ("Invoice", Left), ("7", Right)), Page("Total  9\n", ("Total", Left), ("9", Right))], "pdftotext");

        var words = text.Geometry!.Words;
        Assert.Equal(["Invoice", "7", "Total", "9"], words.Select(w => text.Content[w.Start..w.End]));
        Assert.Equal([1, 1, 2, 2], words.Select(w => w.Page));
        Assert.Equal(2, text.Geometry.Pages.Count);
    }

    [Fact]
    public void SourceOf_BoxesEveryWordOfTheValue_OnItsPage()
    {
        var text = PageText.Join([Page("Acme  Tools Ltd\n", ("Acme", Left), ("Tools", Right), ("Ltd", new PageBox(0.81, 0.1, 0.85, 0.13)))], "pdftotext");
        var start = text.Content.IndexOf("Tools", StringComparison.Ordinal);

        var source = text.SourceOf(start, start + "Tools Ltd".Length);

        Assert.Equal(new PageBox(0.6, 0.1, 0.85, 0.13), source.Box);
        Assert.Equal(1, source.Page);
    }

    [Fact]
    public void SourceOf_HasNoBox_ForTextWithoutGeometry()
    {
        var text = PageText.Join(["Total 9\n"], "native");

        Assert.Null(text.Geometry);
        Assert.Null(text.SourceOf(6, 7).Box);
    }

    [Fact]
    public void Join_DropsTheWordsOfTextCutAway()
    {
        var tooLong = new string('x', TextDecoding.MaxCharacters + 10);
        var text = PageText.Join([Page("Total 9\n", ("Total", Left)), Page(tooLong + " end", ("end", Right))], "pdftotext");

        Assert.Equal(["Total"], text.Geometry!.Words.Select(w => text.Content[w.Start..w.End]));
    }

    [Fact]
    public void AWord_IsStoredAsOneArrayOfNumbers_AndReadBack()
    {
        var word = new PositionedWord(12, 19, 2, new PageBox(0.1234, 0.5, 0.25, 0.52), 7, 3);

        var json = JsonSerializer.Serialize(word);

        Assert.Equal("[12,19,2,0.1234,0.5,0.25,0.52,7,3]", json);
        Assert.Equal(word, JsonSerializer.Deserialize<PositionedWord>(json));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PositionedWord>("[1,2,3]"));
    }
}
