using Docket.Server.Features.Documents;

namespace Docket.Server.Api;

/// <summary>The page a list endpoint was asked for (?page=, ?page_size=), checked once for all of them.</summary>
public readonly record struct PageRequest(int Number, int Size)
{
    public const int MaxSize = 200;

    public int Skip => (Number - 1) * Size;

    /// <summary>Adds what is wrong with the parameters to <paramref name="problems"/>.</summary>
    public static PageRequest Read(int? page, int? pageSize, int defaultSize, IDictionary<string, string> problems)
    {
        var request = new PageRequest(page ?? 1, pageSize ?? defaultSize);
        if (request.Number < 1) problems["page"] = "Pages start at 1.";
        if (request.Size is < 1 or > MaxSize) problems["page_size"] = $"page_size is between 1 and {MaxSize}.";
        return request;
    }

    public Paged<T> Of<T>(IReadOnlyList<T> items, int total) => new(items, Number, Size, total, (total + Size - 1) / Size);

    public static IResult Invalid(HttpContext http, IDictionary<string, string> problems) =>
        ApiErrors.BadRequest(http, "invalid_query", "The query parameters are not valid.", problems);
}
