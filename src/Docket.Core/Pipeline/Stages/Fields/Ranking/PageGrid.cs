namespace Docket.Core.Pipeline.Stages.Fields.Ranking;

/// <summary>A run of text on a line between wide gaps: one column's label or value.</summary>
/// <param name="Kinds">The labels it holds, a bit set over <see cref="LabelKind"/>.</param>
public sealed record Cell(int Start, int End, int Column, string Normalised, int Kinds)
{
    public int Width => End - Start;
}

/// <summary>One line of the laid-out text with where it sits on its page.</summary>
/// <param name="Row">Its line number on its page (0 at the top).</param>
/// <param name="Rank">How many non-blank lines of its page come before it.</param>
public sealed record GridLine(int Index, int Start, int End, int Page, int Row, int Rank, IReadOnlyList<Cell> Cells)
{
    public bool IsBlank => Cells.Count == 0;
}

/// <summary>
/// The extracted text as the page lays it out: pdftotext's layout mode and <see cref="Extraction.OcrLayout"/>
/// both put each word in the column its place on the page gives it, so a line number is a height and a
/// character offset from the line's start is a distance from the left edge. Candidates are described by
/// where they sit on this grid and which labels sit left of and above them.
/// </summary>
public sealed class PageGrid
{
    /// <summary>Three spaces or more part columns: pdftotext and OCR leave one or two inside a phrase ("QUARRY  PARK SUPPLIES").</summary>
    private const int ColumnGap = 3;

    public string Content { get; }

    public IReadOnlyList<GridLine> Lines { get; }

    /// <summary>How large each value is printed, when the text knows where its words stand.</summary>
    public TypeSizes Type { get; init; } = TypeSizes.None;

    /// <summary>Per page: its lines' count and the widest line's width in characters.</summary>
    private readonly Dictionary<int, (int Rows, int Width, int NonBlank)> _pages = [];

    public PageGrid(string content, IReadOnlyList<TextLine> lines, IReadOnlyList<int> pageStarts)
    {
        Content = content;
        var grid = new List<GridLine>(lines.Count);
        var page = 1;
        var row = 0;
        var rank = 0;
        var previousEnd = -2;
        foreach (var line in lines)
        {
            // Lines are the head and tail of a long text; a jump in offsets is a jump in rows, not a new page.
            while (page < pageStarts.Count && pageStarts[page] <= line.Start)
            {
                page++;
                row = 0;
                rank = 0;
            }

            if (previousEnd >= 0 && line.Start != previousEnd + 1) row += 1;
            var cells = CellsOf(content, line.Start, line.End);
            grid.Add(new GridLine(grid.Count, line.Start, line.End, page, row, rank, cells));
            var (rows, width, nonBlank) = _pages.GetValueOrDefault(page);
            _pages[page] = (row + 1, Math.Max(width, line.End - line.Start), nonBlank + (cells.Count > 0 ? 1 : 0));
            if (cells.Count > 0) rank++;
            row++;
            previousEnd = line.End;
        }

        Lines = grid;
        PageCount = Math.Max(1, pageStarts.Count);
    }

    public int PageCount { get; }

    public int RowsOn(int page) => Math.Max(1, _pages.GetValueOrDefault(page).Rows);

    public int WidthOf(int page) => Math.Max(1, _pages.GetValueOrDefault(page).Width);

    public int NonBlankOn(int page) => Math.Max(1, _pages.GetValueOrDefault(page).NonBlank);

    private static List<Cell> CellsOf(string content, int start, int end)
    {
        var cells = new List<Cell>();
        var i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(content[i])) i++;
            if (i >= end) break;
            var cellStart = i;
            var cellEnd = i;
            while (i < end)
            {
                if (!char.IsWhiteSpace(content[i]))
                {
                    cellEnd = ++i;
                    continue;
                }

                var gap = i;
                while (gap < end && char.IsWhiteSpace(content[gap])) gap++;
                if (gap - i >= ColumnGap || content[i] == '\t' || gap >= end) break;
                i = gap;
            }

            var normalised = LabelLexicon.Normalise(content.AsSpan(cellStart, cellEnd - cellStart));
            cells.Add(new Cell(cellStart, cellEnd, cellStart - start, normalised, LabelLexicon.KindsIn(normalised)));
            i = cellEnd;
        }

        return cells;
    }

    /// <summary>The line holding <paramref name="offset"/>.</summary>
    public GridLine LineAt(int offset)
    {
        int low = 0, high = Lines.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (Lines[middle].Start <= offset) low = middle;
            else high = middle - 1;
        }

        return Lines[low];
    }

    /// <summary>The labels before <paramref name="offset"/> on its line: in its own cell before it, and in the cell left of it.</summary>
    public (int Kinds, int Distance) LabelsLeftOf(GridLine line, int offset)
    {
        var kinds = 0;
        var distance = 0;
        for (var c = line.Cells.Count - 1; c >= 0; c--)
        {
            var cell = line.Cells[c];
            if (cell.Start >= offset) continue;
            if (cell.End > offset)
            {
                // The value's own cell: "Invoice No. 123" or "Total: 12.00".
                var before = LabelLexicon.KindsIn(LabelLexicon.Normalise(Content.AsSpan(cell.Start, offset - cell.Start)));
                if (before != 0) return (before, 0);
                continue;
            }

            if (cell.Kinds != 0 || kinds == 0)
            {
                kinds = cell.Kinds;
                distance = offset - cell.End;
                if (kinds != 0) return (kinds, distance);
            }
        }

        return (kinds, distance);
    }

    /// <summary>
    /// The labels in the nearest non-blank lines above, in cells whose columns overlap
    /// [<paramref name="from"/>, <paramref name="to"/>): a table header over its column, a label over its value.
    /// </summary>
    public (int Kinds, int Rows) LabelsAbove(GridLine line, int from, int to, int maxLines = 3)
    {
        var seen = 0;
        for (var i = line.Index - 1; i >= 0 && seen < maxLines; i--)
        {
            var above = Lines[i];
            if (above.Page != line.Page) break;
            if (above.IsBlank) continue;
            seen++;
            foreach (var cell in above.Cells)
                if (cell.Column < to && cell.Column + cell.Width > from && cell.Kinds != 0)
                    return (cell.Kinds, seen);
        }

        return (0, 0);
    }
}
