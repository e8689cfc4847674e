using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class PdfWordBoxesTests
{
    private static string Word(double left, double top, string text, double width = 30, double height = 10) =>
        FormattableString.Invariant($"<word xMin=\"{left}\" yMin=\"{top}\" xMax=\"{left + width}\" yMax=\"{top + height}\">{text}</word>");

    private static string Xhtml(params string[][] blocks)
    {
        var body = new StringBuilder();
        foreach (var block in blocks) body.Append("<flow><block><line>").Append(string.Concat(block)).Append("</line></block></flow>");
        return "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">"
            + "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><doc><page width=\"600\" height=\"800\">" + body + "</page></doc></body></html>";
    }

    private static PdfWordBoxes.BoxedPage Parse(string xhtml) =>
        Assert.Single(PdfWordBoxes.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xhtml))));

    [Fact]
    public void Parse_ReadsEveryWord_WithItsPageSize_AndNumbersLinesAndBlocks()
    {
        var page = Parse(Xhtml([Word(40, 60, "Invoice"), Word(80, 60, "No.")], [Word(400, 60, "A&amp;B-7")]));

        Assert.Equal(new PageSize(600, 800, "pt"), page.Size);
        Assert.Equal(["Invoice", "No.", "A&B-7"], page.Words.Select(w => w.Text));
        Assert.Equal([0, 0, 1], page.Words.Select(w => w.Block));
        Assert.Equal([0, 0, 1], page.Words.Select(w => w.Line));
        Assert.Equal(400, page.Words[2].Left);
    }

    [Fact]
    public void Place_GivesEachLayoutWordItsBox_WhenTheBoxOutputReadsTheColumnsInAnotherOrder()
    {
        // The box output reads the left column to its end, then the right one; the layout reads across.
        var page = Parse(Xhtml(
            [Word(40, 100, "Total")], [Word(40, 200, "Total")],
            [Word(400, 100, "10.00")], [Word(400, 200, "12.00")]));
        const string text = "Total        10.00\n\nTotal        12.00\n";

        var placed = PdfWordBoxes.Place(text, page);

        Assert.Equal(4, placed.Words.Count);
        var second = placed.Words.Single(w => w.Start == text.LastIndexOf("Total", StringComparison.Ordinal));
        Assert.Equal(PageBox.Of(40, 200, 70, 210, 600, 800), second.Box);
        var twelve = placed.Words.Single(w => text[w.Start..w.End] == "12.00");
        Assert.Equal(0.25, twelve.Box.Top, 3);
        Assert.Equal(400 / 600.0, twelve.Box.Left, 3);
    }

    [Fact]
    public void Place_JoinsTheBoxesOfWordsPrintedWithoutAGap_AndPrefersThemToTheSameSpellingElsewhere()
    {
        var page = Parse(Xhtml(
            [Word(40, 100, "Due"), Word(400, 100, "₹", width: 6), Word(406, 102, "3,659.85", height: 8)],
            [Word(40, 500, "Total"), Word(400, 500, "₹3,659.85", width: 36)]));
        const string text = "Due        ₹3,659.85\n\nTotal      ₹3,659.85\n";

        var placed = PdfWordBoxes.Place(text, page);

        var due = placed.Words.Single(w => w.Start == text.IndexOf('₹'));
        Assert.Equal(PageBox.Of(400, 100, 436, 110, 600, 800), due.Box);
        var total = placed.Words.Single(w => w.Start == text.LastIndexOf('₹'));
        Assert.Equal(PageBox.Of(400, 500, 436, 510, 600, 800), total.Box);
    }

    [Fact]
    public void Place_LeavesAWordWithoutABox_WhenTheBoxOutputHasNoSuchWord()
    {
        var page = Parse(Xhtml([Word(40, 100, "Invoice")]));

        var placed = PdfWordBoxes.Place("Invoice   Rechnung\n", page);

        Assert.Equal([0], placed.Words.Select(w => w.Start));
    }
}
