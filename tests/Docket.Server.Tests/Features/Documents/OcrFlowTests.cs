using Docket.Server.Tests.Infrastructure;
using Docket.Tests;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>
/// Scans through the real server and the real tesseract: an image-only PDF and a PNG are uploaded,
/// their OCR progress arrives per page on the event stream, and their text is in the result.
/// </summary>
public sealed class OcrFlowTests(DocketFactory factory) : IClassFixture<DocketFactory>
{
    private static readonly string Fixtures = Path.Combine(Samples.RepoRoot, "tests", "Fixtures", "ocr");

    private readonly HttpClient _client = factory.CreateAuthenticatedClient();

    [Fact]
    public async Task AScannedPdf_IsReadWithOcr_WithAProgressEventPerPage_OnTheStream()
    {
        var (id, jobId) = await _client.UploadOneAsync("scan.pdf", File.ReadAllBytes(Path.Combine(Fixtures, "scanned-receipt-de.pdf")));

        await using var stream = await EventStream.OpenAsync(_client, $"/api/v1/jobs/{jobId}/stream", lastEventId: 0);
        var events = (await stream.ReadToEndAsync()).Where(f => f.Id is not null).Select(f => f.Json).ToList();

        var ocr = Assert.Single(events, e => e.Str("event") == "stage_progress");
        Assert.Equal("extract", ocr.Str("stage"));
        Assert.Equal("OCR page 1 of 1", ocr.Str("message"));
        Assert.Equal("job_completed", events[^1].Str("event"));
        Assert.True(events.IndexOf(ocr) < events.FindIndex(e => e.Str("event") == "document_parsing_completed"));

        var result = await _client.GetJsonAsync($"/api/v1/documents/{id}/result");
        Assert.Contains("Café Seeblick", result.Str("text"));
        var extraction = result.GetProperty("result").GetProperty("data").GetProperty("extraction");
        Assert.Equal("ocr", extraction.Str("method"));
        Assert.Equal([0], extraction.GetProperty("page_starts").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Matches(@"Total CHF +25\.23", result.Str("text"));
    }

    [Fact]
    public async Task APng_IsReadWithOcr_AndItsTextIsInTheResult()
    {
        var (id, jobId) = await _client.UploadOneAsync("receipt.png", File.ReadAllBytes(Path.Combine(Fixtures, "receipt-fr.png")));

        var status = await _client.WaitForDocumentAsync(id, "processed", "failed");
        Assert.True(status.Str("status") == "processed", status.StrOrNull("failure_reason"));
        var events = await _client.JobEventsAsync(jobId);
        Assert.Contains(events, e => e.Str("event") == "stage_progress" && e.Str("message") == "OCR page 1 of 1");

        var result = await _client.GetJsonAsync($"/api/v1/documents/{id}/result");
        Assert.Contains("Merci et à bientôt", result.Str("text"));
        Assert.Equal("ocr", result.GetProperty("result").GetProperty("data").GetProperty("extraction").Str("method"));
        var total = result.GetProperty("result").GetProperty("fields").GetProperty("total");
        Assert.Equal("21.61", total.Str("value"));
        var source = total.GetProperty("source");
        Assert.Equal(1, source.GetProperty("page").GetInt32());
        // The box the review screen draws: the amount's place on the image, right of the middle, below the top.
        var box = source.GetProperty("box");
        double Edge(string name) => box.GetProperty(name).GetDouble();
        Assert.True(Edge("left") > 0.5 && Edge("right") <= 1 && Edge("left") < Edge("right"), box.ToString());
        Assert.True(Edge("top") > 0.1 && Edge("bottom") < 1 && Edge("top") < Edge("bottom"), box.ToString());
    }

    [Fact]
    public async Task AnImageTooLargeToDecode_FailsPermanently_WithTheReason()
    {
        var (id, jobId) = await _client.UploadOneAsync("huge.png", TestImages.BlankPng(65535, 65535));

        var status = await _client.WaitForDocumentAsync(id, "failed");
        Assert.Equal("The image is 65,535 × 65,535 pixels (4294.8 megapixels); Docket reads images of up to 50 megapixels.",
            status.Str("failure_reason"));
        var job = await _client.GetJsonAsync($"/api/v1/jobs/{jobId}");
        Assert.Equal("failed", job.Str("state"));
        Assert.Equal(1, job.Int("attempt"));
    }
}
