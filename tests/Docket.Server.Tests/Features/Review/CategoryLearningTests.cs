using System.Globalization;
using System.Net;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Review;

/// <summary>
/// A reviewer's category correction changes what the server predicts for the next similar upload,
/// through the real path: review, approve, the learning feed, the worker's categorise stage.
/// </summary>
public abstract class CategoryLearningTests(TestDatabase database)
{
    /// <summary>Everyday papers of an accounts team, finalised as the machine filed them.</summary>
    private static readonly (string Name, string Text)[] Everyday =
    [
        ("invoice-1.txt", "INVOICE\nInvoice number: NB-1042\nBill to: Hollins Bakery\nSubtotal: 400.00\nVAT 20%: 80.00\nAmount due: 480.00 GBP\nPayment terms: 30 days\n"),
        ("invoice-2.txt", "Rechnung\nRechnungsnummer: 2024-118\nNettobetrag 1.200,00 €\nMwSt. 19 % 228,00 €\nGesamtbetrag 1.428,00 €\nZahlbar innerhalb von 14 Tagen.\n"),
        ("invoice-3.txt", "FACTURE\nN° de facture : F-5531\nTotal HT 900,00 €\nTVA 20 % 180,00 €\nTotal TTC 1 080,00 €\nDate d'échéance : 30/06/2024\n"),
        ("receipt.txt", "CORNER CAFE\nReceipt No. 8812\n09:14\n2 x Flat white 6.40\nTOTAL 6.40\nCard payment VISA\nThank you for your visit!\n"),
        ("letter.txt", "Dear Mr Patel,\n\nI am writing to confirm our meeting on Tuesday about the new premises.\n\nYours sincerely,\nAnna Berg\n"),
        ("memo.txt", "MEMO\nTo: All staff\nFrom: Facilities\nSubject: Car park closed\n\nThe car park is closed on Friday for resurfacing.\n"),
        ("contract.txt", "SERVICE AGREEMENT\nThis agreement is made between Alder Ltd (hereinafter the Provider) and Birch Ltd. The parties agree as follows.\nGoverning law: England.\n"),
        ("report.txt", "Q2 Report\nExecutive summary\nRevenue grew 8% compared with Q1. Findings and recommendations follow.\n"),
    ];

    /// <summary>A monthly statement that reads like an invoice; this team files such statements as "other".</summary>
    private static string EnergyStatement(int month)
    {
        var period = new DateOnly(2024, month, 1);
        var usage = 900 + month * 37;
        var total = Math.Round(usage * 0.284m * 1.05m, 2);
        return string.Create(CultureInfo.InvariantCulture, $"""
            Kelderwick Energy
            Customer account 7781-{month:00}4 · Meter MPAN 19 1200 4471 {month:00}9

            Your energy statement for {period:MMMM yyyy}

            Electricity used: {usage} kWh at 28.40p per kWh
            VAT at 5%
            Total charges this period                £{total:0.00}
            Amount to pay                            £{total:0.00}

            Payment due by Direct Debit on {period.AddMonths(1).AddDays(14):d MMMM yyyy}.
            Your tariff: Kelderwick Fixed Saver 12M. Smart meter readings are sent automatically.
            """);
    }

    [Fact]
    public async Task AReviewersCategoryCorrection_ChangesThePredictionForTheNextSimilarUpload()
    {
        await using var server = DocketFactory.Create(database: database);
        using var client = server.CreateAuthenticatedClient();
        foreach (var (name, text) in Everyday)
        {
            var (id, _) = await client.ProcessedTextAsync(name, text);
            await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
        }

        // The rules file the statement as an invoice; the reviewer corrects it.
        var (first, _) = await client.ProcessedTextAsync("statement-1.txt", EnergyStatement(1));
        Assert.Equal(("invoice", "rules"), await CategoryAsync(client, first));
        using (var edit = await client.PutReviewAsync(first, new { category = "other" }, await client.ETagAsync(first)))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        await client.PostJsonAsync($"/api/v1/review/{first}/approve", null, HttpStatusCode.OK);

        var (next, _) = await client.ProcessedTextAsync("statement-2.txt", EnergyStatement(2));
        Assert.Equal(("other", "classifier"), await CategoryAsync(client, next));
        Assert.Equal("other", (await client.GetJsonAsync($"/api/v1/documents/{next}")).Str("category"));

        // The correction taught "statements like these", not "invoices are other".
        var (invoice, _) = await client.ProcessedTextAsync("invoice-4.txt",
            "INVOICE\nInvoice number: GT-77\nBill to: Quarry Cafe\nSubtotal: 250.00\nVAT 20%: 50.00\nAmount due: 300.00 GBP\n");
        Assert.Equal(("invoice", "rules"), await CategoryAsync(client, invoice));
    }

    private static async Task<(string Name, string Method)> CategoryAsync(HttpClient client, Guid id)
    {
        var category = (await client.GetJsonAsync($"/api/v1/documents/{id}/result"))
            .GetProperty("result").GetProperty("data").GetProperty("category");
        return (category.Str("name"), category.Str("method"));
    }
}

/// <summary><see cref="CategoryLearningTests"/> on SQLite.</summary>
public sealed class CategoryLearningTestsOnSqlite() : CategoryLearningTests(TestDatabase.Sqlite);

/// <summary><see cref="CategoryLearningTests"/> on PostgreSQL.</summary>
public sealed class CategoryLearningTestsOnPostgres() : CategoryLearningTests(TestDatabase.Postgres);
