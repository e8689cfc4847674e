using Docket.Server.Features.Documents;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>Past this many matches a list says "more than" instead of counting them all.</summary>
    public const int CountLimit = 10_000;

    public Paged<T> Of<T>(IReadOnlyList<T> items, int total) => new(items, Number, Size, total, (total + Size - 1) / Size, TotalIsExact: true);

    public Paged<T> Of<T>(IReadOnlyList<T> items, Count count) => count.IsExact
        ? Of(items, count.Total)
        : new(items, Number, Size, count.Total, (count.Total + 1 + Size - 1) / Size, TotalIsExact: false);

    /// <summary>
    /// Counts <paramref name="query"/> up to <see cref="CountLimit"/> (or just past this page, on a deeper
    /// one): an exact COUNT(*) costs time in proportion to the matches, ~100 ms at a million documents on
    /// PostgreSQL, on every page. Past the limit the total is a lower bound, and the page after this one
    /// is known to exist.
    /// </summary>
    public async Task<Count> CountAsync<T>(IQueryable<T> query, CancellationToken cancellationToken)
    {
        var limit = Math.Max(CountLimit, Skip + Size) + 1;
        var counted = await query.Take(limit).CountAsync(cancellationToken);
        return counted < limit ? new Count(counted, IsExact: true) : new Count(limit - 1, IsExact: false);
    }

    /// <summary>
    /// For a query whose filter is the expensive part (a text search): the ids of its first matches in order, as
    /// many as <see cref="CountAsync{T}"/> would count, give both the count and this page's ids, so the matches are
    /// found once. Counting and then paging found them twice (at a million documents on PostgreSQL, two ~20 ms
    /// searches per request).
    /// </summary>
    public async Task<(Count Count, List<Guid> PageIds)> CountAndPageIdsAsync(IQueryable<Guid> orderedIds, CancellationToken cancellationToken)
    {
        var limit = Math.Max(CountLimit, Skip + Size) + 1;
        var ids = await orderedIds.Take(limit).ToListAsync(cancellationToken);
        var count = ids.Count < limit ? new Count(ids.Count, IsExact: true) : new Count(limit - 1, IsExact: false);
        return (count, ids.Skip(Skip).Take(Size).ToList());
    }

    public readonly record struct Count(int Total, bool IsExact);

    public static IResult Invalid(HttpContext http, IDictionary<string, string> problems) =>
        ApiErrors.BadRequest(http, "invalid_query", "The query parameters are not valid.", problems);
}
