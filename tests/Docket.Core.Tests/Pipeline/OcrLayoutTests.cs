using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Tests.Pipeline;

public sealed class OcrLayoutTests
{
    private const string Header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n";

    /// <summary>A TSV row for one word: 10 px per character, 12 px high.</summary>
    private static string Word(int page, int line, int word, int left, int top, string text) =>
        $"5\t{page}\t1\t1\t{line}\t{word}\t{left}\t{top}\t{text.Length * 10}\t12\t95.5\t{text}\n";

    private static string Page(int page, int width = 1000, int height = 1400) =>
        $"1\t{page}\t0\t0\t0\t0\t0\t0\t{width}\t{height}\t-1\t\n";

    [Fact]
    public void FromTsv_KeepsWordsOfAPhraseTogether_AndColumnsApart()
    {
        var tsv = Header + Page(1)
            + Word(1, 1, 1, 100, 100, "Invoice") + Word(1, 1, 2, 175, 100, "No.") + Word(1, 1, 3, 400, 100, "H74681")
            + Word(1, 2, 1, 100, 125, "Invoice") + Word(1, 2, 2, 175, 125, "date") + Word(1, 2, 3, 400, 125, "09/05/2023");

        var page = Assert.Single(OcrLayout.FromTsv(tsv));

        // Column 30 is where 400 px falls at 10 px a character, counted from the margin at 100 px.
        Assert.Equal("Invoice No." + new string(' ', 19) + "H74681\nInvoice date" + new string(' ', 18) + "09/05/2023\n", page);
    }

    [Fact]
    public void FromTsv_IndentsALineThatStartsToTheRight_FromThePageMargin()
    {
        var tsv = Header + Page(1)
            + Word(1, 1, 1, 100, 100, "Harbor") + Word(1, 1, 2, 700, 100, "INVOICE")
            + Word(1, 2, 1, 600, 125, "Customer") + Word(1, 2, 2, 690, 125, "ID");

        var lines = Assert.Single(OcrLayout.FromTsv(tsv)).Split('\n');

        Assert.Equal("Harbor" + new string(' ', 54) + "INVOICE", lines[0]);
        Assert.Equal(new string(' ', 50) + "Customer ID", lines[1]);
    }

    [Fact]
    public void FromTsv_KeepsALargeVerticalGap_AsABlankLine()
    {
        var tsv = Header + Page(1)
            + Word(1, 1, 1, 100, 100, "one") + Word(1, 2, 1, 100, 125, "two")
            + Word(1, 3, 1, 100, 150, "three") + Word(1, 4, 1, 100, 225, "four");

        Assert.Equal("one\ntwo\nthree\n\n\nfour\n", Assert.Single(OcrLayout.FromTsv(tsv)));
    }

    [Fact]
    public void FromTsv_GivesEveryPageItsOwnText_EmptyPagesIncluded()
    {
        var tsv = Header
            + Page(1) + Word(1, 1, 1, 100, 100, "first")
            + Page(2)
            + Page(3) + Word(3, 1, 1, 100, 100, "third");

        Assert.Equal(["first\n", "", "third\n"], OcrLayout.FromTsv(tsv));
    }

    [Fact]
    public void FromTsv_OfNothing_IsNoPages()
    {
        Assert.Empty(OcrLayout.FromTsv(Header));
    }

    [Fact]
    public void ConfidentWords_AreThoseTesseractIsSureOf_AndTheirShareOfAllWords()
    {
        var tsv = Header + Page(1) + Word(1, 1, 1, 100, 100, "Rechnung")
            + "5\t1\t1\t1\t1\t2\t200\t100\t20\t12\t31.2\tao\n"
            + "5\t1\t1\t1\t1\t3\t230\t100\t20\t12\t12\tRR\n";

        Assert.Equal(["Rechnung"], OcrLayout.ConfidentWords(tsv, 80));
        Assert.Equal(1.0 / 3, OcrLayout.ConfidentShare(tsv, 80), 6);
        Assert.Equal(1, OcrLayout.ConfidentShare(Header + Page(1), 80));
    }

    [Fact]
    public void Read_PlacesEveryWord_WhereTheLayoutPrintsIt_WithItsBoxAsAFractionOfTheImage()
    {
        var tsv = Header + Page(1)
            + Word(1, 1, 1, 100, 100, "Invoice") + Word(1, 1, 2, 175, 100, "No.") + Word(1, 1, 3, 400, 100, "H74681")
            + Word(1, 2, 1, 100, 125, "Total") + Word(1, 2, 2, 400, 125, "9.50");

        var page = Assert.Single(OcrLayout.Read(tsv));

        Assert.Equal(new Docket.Core.Pipeline.PageSize(1000, 1400, "px"), page.Size);
        Assert.Equal(["Invoice", "No.", "H74681", "Total", "9.50"], page.Words.Select(w => page.Text[w.Start..w.End]));
        var number = page.Words[2];
        Assert.Equal(0.4, number.Box.Left);
        Assert.Equal(0.46, number.Box.Right);
        Assert.Equal(0.0714, number.Box.Top);
        Assert.Equal(0.08, number.Box.Bottom);
        Assert.Equal([0, 0, 0, 1, 1], page.Words.Select(w => w.Line));
    }
}
