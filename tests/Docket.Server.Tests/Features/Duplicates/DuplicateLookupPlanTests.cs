using Docket.Data.Model;
using Docket.Server.Features.Duplicates;
using Docket.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Docket.Server.Tests.Features.Duplicates;

/// <summary>
/// The duplicate lookup runs each time a document is shown and for every batch of an export, on databases of a
/// million documents: it must read ranges of the (owner, key) indexes, never the table.
/// </summary>
public sealed class DuplicateLookupPlanTests
{
    [Fact]
    public async Task TheLookup_ReadsBothKeyIndexes_AndNoTable_OnSqlite()
    {
        await using var server = new DocketFactory();
        var db = server.Services.CreateScope().ServiceProvider.GetRequiredService<DocketDbContext>();
        var query = DuplicateInvoices.Lookup(db, [Guid.NewGuid(), Guid.NewGuid()]);

        var plan = await QueryPlans.SqliteAsync(query);

        var shown = query.ToQueryString() + "\n" + string.Join("\n", plan);
        Assert.True(plan.Any(step => step.Contains("INDEX ix_invoice_keys_number", StringComparison.Ordinal)), shown);
        Assert.True(plan.Any(step => step.Contains("INDEX ix_invoice_keys_total", StringComparison.Ordinal)), shown);
        // The ids come as a JSON array, which SQLite reads with json_each: that scan is of the ids, not of a table.
        Assert.False(plan.Any(step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("json_each", StringComparison.Ordinal)), shown);
    }

    [Fact]
    public async Task TheLookup_CanUseBothKeyIndexes_OnPostgres()
    {
        // An empty table is scanned whatever the indexes; without that choice the plan shows the partial indexes match.
        await using var server = new PostgresDocketFactory();
        var db = server.Services.CreateScope().ServiceProvider.GetRequiredService<DocketDbContext>();
        var query = DuplicateInvoices.Lookup(db, [Guid.NewGuid(), Guid.NewGuid()]);
        await using var command = query.CreateDbCommand();
        if (command.Connection!.State != System.Data.ConnectionState.Open) await command.Connection.OpenAsync();
        await using (var discourage = command.Connection.CreateCommand())
        {
            discourage.CommandText = "SET enable_seqscan = off";
            await discourage.ExecuteNonQueryAsync();
        }
        command.CommandText = "EXPLAIN " + command.CommandText;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) plan.Add(reader.GetString(0));

        var shown = string.Join("\n", plan);
        Assert.True(plan.Any(step => step.Contains("ix_invoice_keys_number", StringComparison.Ordinal)), shown);
        Assert.True(plan.Any(step => step.Contains("ix_invoice_keys_total", StringComparison.Ordinal)), shown);
        Assert.DoesNotContain(plan, step => step.Contains("Seq Scan", StringComparison.Ordinal));
    }
}
