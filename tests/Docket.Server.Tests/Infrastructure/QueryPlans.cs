using System.Data;
using Microsoft.EntityFrameworkCore;

namespace Docket.Server.Tests.Infrastructure;

public static class QueryPlans
{
    /// <summary>SQLite's <c>EXPLAIN QUERY PLAN</c> of an EF query, one step per entry.</summary>
    public static async Task<List<string>> SqliteAsync(IQueryable query)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        if (command.Connection!.State != ConnectionState.Open) await command.Connection.OpenAsync();
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        return plan;
    }
}
