namespace Docket.Core.Pipeline.Stages.Fields.Ranking;

/// <summary>
/// How large a value is printed beside the rest of its page: the letterhead's name and the amount due are often
/// set larger than the body, and the label nearest them says nothing about it. A word's height on the page is
/// its type's size (pdftotext boxes a word by its font; tesseract by its glyphs, near enough).
/// </summary>
public sealed class TypeSizes
{
    /// <summary>For text without geometry every value reads as body type.</summary>
    public static TypeSizes None { get; } = new(null, [], []);

    private readonly TextGeometry? _geometry;
    private readonly double[] _medianByPage;
    private readonly double[] _tallestByPage;

    private TypeSizes(TextGeometry? geometry, double[] median, double[] tallest) =>
        (_geometry, _medianByPage, _tallestByPage) = (geometry, median, tallest);

    public static TypeSizes Of(TextGeometry? geometry)
    {
        if (geometry is null || geometry.Words.Count == 0) return None;
        var heights = new List<double>[geometry.Pages.Count];
        foreach (var word in geometry.Words)
            if (word.Page >= 1 && word.Page <= heights.Length) (heights[word.Page - 1] ??= []).Add(word.Box.Height);
        var median = new double[heights.Length];
        var tallest = new double[heights.Length];
        for (var p = 0; p < heights.Length; p++)
        {
            if (heights[p] is not { Count: > 0 } page) continue;
            page.Sort();
            median[p] = page[page.Count / 2];
            tallest[p] = page[^1];
        }
        return new TypeSizes(geometry, median, tallest);
    }

    /// <summary>
    /// The height of the tallest word of [start, end) over the page's median word height (1 when unknown), and
    /// whether it is within a tenth of the page's tallest word.
    /// </summary>
    public (double Ratio, bool Tallest) Of(int page, int start, int end)
    {
        if (_geometry is null || page < 1 || page > _medianByPage.Length || _medianByPage[page - 1] <= 0) return (1, false);
        var height = 0.0;
        foreach (var word in _geometry.WordsIn(start, end))
            if (word.Page == page) height = Math.Max(height, word.Box.Height);
        if (height <= 0) return (1, false);
        return (Math.Round(height / _medianByPage[page - 1], 3), height >= 0.9 * _tallestByPage[page - 1]);
    }
}
