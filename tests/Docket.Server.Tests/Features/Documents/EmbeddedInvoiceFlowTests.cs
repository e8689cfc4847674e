using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>A Factur-X PDF uploaded to the real server: its fields come from the attached XML, and the result says so.</summary>
public sealed class EmbeddedInvoiceFlowTests(DocketFactory factory) : IClassFixture<DocketFactory>
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    private static byte[] Invoice(string name) =>
        File.ReadAllBytes(Path.Combine(Samples.RepoRoot, "..", "shared", "samples", "invoices", "synthetic", name));

    [Fact]
    public async Task AFacturXPdf_IsReadFromItsXml_WithFullConfidence_AndTheResultSaysSo()
    {
        var (id, _) = await _client.UploadOneAsync("alpenhof-2023-0952.pdf", Invoice("syn-15.pdf"));
        var status = await _client.WaitForDocumentAsync(id, "processed", "failed");
        Assert.True(status.Str("status") == "processed", status.StrOrNull("failure_reason"));

        var document = await _client.GetJsonAsync($"/api/v1/documents/{id}/result");
        var result = document.GetProperty("result");
        var fields = result.GetProperty("fields");
        var expected = new Dictionary<string, string>
        {
            ["issuer"] = "Alpenhof Tischlerei GmbH",
            ["invoice_number"] = "2023/0952",
            ["date"] = "2023-02-02",
            ["due_date"] = "2023-03-19",
            ["net"] = "7184.49",
            ["tax"] = "1436.90",
            ["total"] = "8621.39",
            ["currency"] = "EUR",
        };
        foreach (var (name, value) in expected)
        {
            var field = fields.GetProperty(name);
            Assert.Equal(value, field.Str("value"));
            Assert.Equal(1.0, field.GetProperty("confidence").GetDouble());
        }

        var data = result.GetProperty("data");
        Assert.Equal("embedded_cii", data.Str("fields_method"));
        Assert.Equal("invoice", result.Str("category"));
        Assert.Equal("embedded_cii", data.GetProperty("category").Str("method"));
        Assert.Empty(data.GetProperty("warnings").EnumerateArray());
        Assert.Equal(3, data.GetProperty("line_items").GetArrayLength());

        // The review screen highlights the printed value: "8.621,39" in the German layout.
        var source = fields.GetProperty("total").GetProperty("source");
        var text = document.Str("text");
        Assert.Equal("8.621,39", text[source.GetProperty("start").GetInt32()..source.GetProperty("end").GetInt32()]);
        var box = source.GetProperty("box");
        Assert.InRange(box.GetProperty("left").GetDouble(), 0.5, 1);
        Assert.InRange(box.GetProperty("bottom").GetDouble(), box.GetProperty("top").GetDouble(), 1);
    }

    [Fact]
    public async Task APdfWithoutAnXml_KeepsItsFieldsFromTheText_AndTheResultSaysSo()
    {
        var (id, _) = await _client.UploadOneAsync("blue-heron.pdf", Invoice("syn-01.pdf"));
        await _client.WaitForDocumentAsync(id, "processed");

        var result = (await _client.GetJsonAsync($"/api/v1/documents/{id}/result")).GetProperty("result");

        Assert.Equal("text", result.GetProperty("data").Str("fields_method"));
        Assert.Equal("BHA-2023-0944", result.GetProperty("fields").GetProperty("invoice_number").Str("value"));
    }
}
