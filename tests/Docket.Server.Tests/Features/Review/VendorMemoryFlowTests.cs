using System.Net;
using System.Text.Json;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Review;

/// <summary>
/// Vendor memory over HTTP: a reviewer corrects a field on one vendor's invoice and approves it; the
/// vendor's next invoice of the same owner comes out right, in this server and in the next one started on
/// the same data, and another owner's invoice from the same vendor is read as if nobody had corrected anything.
/// </summary>
public sealed class VendorMemoryFlowTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "docket-vendor-memory-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static string Invoice(string number, string order, string date, string total) => $"""
        HALVERSON & RIGG
        Unit 12, Quarry Park, Leeds LS11 5QP
        accounts@halverson-rigg.example   VAT Reg. No. GB 402 5531 77

        INVOICE
        Document ref.: {number}
        Order No.: {order}
        Issued: {date}

        Description                 Qty    Unit price     Amount
        Steel brackets, M8           10         12.00     120.00

        Subtotal: £{total}
        VAT 20%: £0.00
        Total: £{total}

        Thank you for your order. Please pay the total within 30 days of the invoice date.
        Registered office: Halverson & Rigg Engineering Limited, Leeds. Registered in England No. 05512288.
        """;

    private const string ProperName = "Halverson & Rigg Engineering Limited";

    private DocketFactory Server() => DocketFactory.Create(new Dictionary<string, string?> { ["Docket:DataDirectory"] = _dataDirectory });

    private static async Task<JsonElement> FieldsAsync(HttpClient client, Guid id) =>
        (await client.GetJsonAsync($"/api/v1/documents/{id}/result")).GetProperty("result").GetProperty("fields");

    private static async Task CorrectAndApproveAsync(HttpClient client, Guid id)
    {
        using (var edit = await client.PutReviewAsync(id, new { fields = new { issuer = ProperName, invoice_number = "HR-3301" } },
                   await client.ETagAsync(id)))
            Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        await client.PostJsonAsync($"/api/v1/review/{id}/approve", null, HttpStatusCode.OK);
    }

    [Fact]
    public async Task ACorrectionOnOneInvoice_MakesTheVendorsNextInvoiceComeOutRight_AlsoAfterARestart()
    {
        TestAccount owner;
        await using (var server = Server())
        {
            owner = server.Account();
            using var client = owner.CreateClient();
            var (first, _) = await client.ProcessedTextAsync("halverson-1.txt", Invoice("HR-3301", "PO-7001", "3 March 2025", "120.00"));
            var machine = await FieldsAsync(client, first);
            Assert.NotEqual(ProperName, machine.GetProperty("issuer").Str("value"));
            Assert.Equal("PO-7001", machine.GetProperty("invoice_number").Str("value"));

            await CorrectAndApproveAsync(client, first);

            var (second, _) = await client.ProcessedTextAsync("halverson-2.txt", Invoice("HR-3342", "PO-7090", "8 April 2025", "240.00"));
            var learned = await FieldsAsync(client, second);
            Assert.Equal(ProperName, learned.GetProperty("issuer").Str("value"));
            Assert.Equal(0.95, learned.GetProperty("issuer").GetProperty("confidence").GetDouble());
            Assert.Equal("HR-3342", learned.GetProperty("invoice_number").Str("value"));
            Assert.Equal(0.9, learned.GetProperty("invoice_number").GetProperty("confidence").GetDouble());
        }

        await using (var restarted = Server())
        {
            using var client = owner.On(restarted).CreateClient();
            var (third, _) = await client.ProcessedTextAsync("halverson-3.txt", Invoice("HR-3391", "PO-7152", "6 May 2025", "360.00"));
            var fields = await FieldsAsync(client, third);
            Assert.Equal(ProperName, fields.GetProperty("issuer").Str("value"));
            Assert.Equal("HR-3391", fields.GetProperty("invoice_number").Str("value"));
        }
    }

    [Fact]
    public async Task AnotherVendorsInvoice_IsLeftAsTheRulesReadIt()
    {
        await using var server = Server();
        using var client = server.CreateAuthenticatedClient();
        var (first, _) = await client.ProcessedTextAsync("halverson-1.txt", Invoice("HR-3301", "PO-7001", "3 March 2025", "120.00"));
        await CorrectAndApproveAsync(client, first);

        var other = Invoice("AB-1", "PO-1", "3 March 2025", "50.00")
            .Replace("HALVERSON & RIGG", "Brackenfield Tools Ltd")
            .Replace("accounts@halverson-rigg.example   VAT Reg. No. GB 402 5531 77", "sales@brackenfield.example   VAT Reg. No. GB 118 0042 61")
            .Replace("Halverson & Rigg Engineering Limited", "Brackenfield Tools Ltd");
        var (id, _) = await client.ProcessedTextAsync("brackenfield.txt", other);

        var fields = await FieldsAsync(client, id);
        Assert.Equal("Brackenfield Tools Ltd", fields.GetProperty("issuer").Str("value"));
        Assert.Equal("PO-1", fields.GetProperty("invoice_number").Str("value"));
    }

    [Fact]
    public async Task AnotherOwnersInvoiceFromTheSameVendor_IsNotGivenTheCorrection_WhileTheOwnersNextInvoiceIs_AlsoAfterARestart()
    {
        TestAccount alice, bob;
        string rulesIssuer;
        await using (var server = Server())
        {
            alice = server.CreateAccount();
            bob = server.CreateAccount();
            using var alices = alice.CreateClient();
            using var bobs = bob.CreateClient();
            var (first, _) = await alices.ProcessedTextAsync("halverson-1.txt", Invoice("HR-3301", "PO-7001", "3 March 2025", "120.00"));
            rulesIssuer = (await FieldsAsync(alices, first)).GetProperty("issuer").Str("value");
            Assert.NotEqual(ProperName, rulesIssuer);
            await CorrectAndApproveAsync(alices, first);

            // Same letterhead: the same VAT number and mail domain, the same name as the machine reads it.
            var (bobsInvoice, _) = await bobs.ProcessedTextAsync("halverson-b1.txt", Invoice("HR-3350", "PO-7101", "9 April 2025", "80.00"));
            var bobsFields = await FieldsAsync(bobs, bobsInvoice);
            Assert.Equal(rulesIssuer, bobsFields.GetProperty("issuer").Str("value"));
            Assert.Equal("PO-7101", bobsFields.GetProperty("invoice_number").Str("value"));

            var (second, _) = await alices.ProcessedTextAsync("halverson-2.txt", Invoice("HR-3342", "PO-7090", "8 April 2025", "240.00"));
            var alicesFields = await FieldsAsync(alices, second);
            Assert.Equal(ProperName, alicesFields.GetProperty("issuer").Str("value"));
            Assert.Equal("HR-3342", alicesFields.GetProperty("invoice_number").Str("value"));
        }

        // The memory rebuilt from the finalised documents keeps them apart just the same.
        await using (var restarted = Server())
        {
            using var alices = alice.On(restarted).CreateClient();
            using var bobs = bob.On(restarted).CreateClient();
            var (bobsInvoice, _) = await bobs.ProcessedTextAsync("halverson-b2.txt", Invoice("HR-3398", "PO-7160", "7 May 2025", "90.00"));
            Assert.Equal(rulesIssuer, (await FieldsAsync(bobs, bobsInvoice)).GetProperty("issuer").Str("value"));

            var (third, _) = await alices.ProcessedTextAsync("halverson-3.txt", Invoice("HR-3391", "PO-7152", "6 May 2025", "360.00"));
            Assert.Equal(ProperName, (await FieldsAsync(alices, third)).GetProperty("issuer").Str("value"));
        }
    }
}
