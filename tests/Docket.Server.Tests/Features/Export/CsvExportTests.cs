using System.Net;
using Docket.Server.Features.Export;
using Docket.Server.Tests.Infrastructure;

namespace Docket.Server.Tests.Features.Export;

public class CsvCellsTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\"")]
    [InlineData("+SUM(A1:A9)", "'+SUM(A1:A9)")]
    [InlineData("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")]
    [InlineData("@SUM(1)", "'@SUM(1)")]
    [InlineData("\tTAB", "'\tTAB")]
    public void Escape_NeutralisesAFormula_WithALeadingApostrophe(string value, string expected) =>
        Assert.Equal(expected, CsvCells.Escape(value));

    [Theory]
    [InlineData("-12.50")]
    [InlineData("+3")]
    [InlineData("-0.01")]
    public void Escape_LeavesAPlainNumberAlone_SoCreditNotesStayNumbers(string value) =>
        Assert.Equal(value, CsvCells.Escape(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData(" padded ", "\" padded \"")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escape_QuotesPerRfc4180(string? value, string expected) =>
        Assert.Equal(expected, CsvCells.Escape(value));
}

public abstract class CsvExportTests(DocketFactory factory)
{
    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    [Fact]
    public async Task ExportedCsv_NeutralisesFormulasThatAReviewerTypedIn()
    {
        var (documentId, _) = await _client.ProcessedTextAsync("formula.txt", "Invoice INV-9 total 10.00 USD");
        var etag = await _client.ETagAsync(documentId);
        using (var review = await _client.PutReviewAsync(documentId,
                   new { title = "=HYPERLINK(\"http://evil.example\",\"click\")", fields = new Dictionary<string, string?> { ["issuer"] = "@SUM(1+1)" } },
                   etag))
            Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        await _client.PostJsonAsync($"/api/v1/review/{documentId}/approve", null, HttpStatusCode.OK);

        var csv = await _client.GetStringAsync($"/api/v1/documents/{documentId}/export/csv");

        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"", csv);
        Assert.Contains(",'@SUM(1+1),", csv);
        Assert.DoesNotContain(",=HYPERLINK", csv);
    }
}

/// <summary><see cref="CsvExportTests"/> on SQLite.</summary>
public sealed class CsvExportTestsOnSqlite(DocketFactory fixture) : CsvExportTests(fixture), IClassFixture<DocketFactory>;

/// <summary><see cref="CsvExportTests"/> on PostgreSQL.</summary>
public sealed class CsvExportTestsOnPostgres(PostgresDocketFactory fixture) : CsvExportTests(fixture), IClassFixture<PostgresDocketFactory>;
