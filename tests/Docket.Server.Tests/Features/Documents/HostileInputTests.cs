using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Docket.Server.Features.Accounts;
using Docket.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Docket.Server.Tests.Features.Documents;

/// <summary>
/// Files made to hurt, each sent over HTTP like any upload: every one ends in a clear 4xx or in a
/// failed job with a reason (or, where the file is odd but readable, a processed document); nothing
/// answers 5xx, the worker keeps serving, and the server's memory stays bounded while it copes.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const long MaxFileBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    private sealed record Outcome(string File, int Status, string What);

    [Fact]
    public async Task HostileFiles_EndInA4xxOrAFailedJobWithAReason_AndTheServerKeepsServing()
    {
        await using var server = DocketFactory.Create(new Dictionary<string, string?> { ["Uploads:MaxFileBytes"] = MaxFileBytes.ToString() });
        var client = server.CreateAuthenticatedClient();
        var admin = server.CreateAuthenticatedClient(Roles.Admin);
        await client.ProcessedTextAsync("warm-up.txt", "The server is warm before memory is measured.");
        using var memory = MemorySampler.Start();

        var outcomes = new List<Outcome>();
        foreach (var (name, content) in Files())
        {
            using var response = await client.PostAsync("/api/v1/documents", ApiClient.Files((name, content)));
            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
            if (status != 201)
            {
                var error = await response.AssertErrorAsync(response.StatusCode, ErrorCodeOf(await response.Content.ReadAsStringAsync()));
                outcomes.Add(new Outcome(name, status, error.Str("code")));
                continue;
            }
            var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("documents")[0].Guid("id");
            var settled = await Wait.UntilAsync(() => client.GetJsonAsync($"/api/v1/documents/{id}/status"),
                s => s.Str("status") is "processed" or "failed", $"{name} to be processed or failed", Settle);
            if (settled.Str("status") == "failed")
                Assert.False(string.IsNullOrWhiteSpace(settled.StrOrNull("failure_reason")), $"{name} failed without a reason");
            outcomes.Add(new Outcome(name, 201, settled.Str("status") == "failed" ? "failed: " + settled.Str("failure_reason") : "processed"));
        }

        string Report() => string.Join("\n", outcomes.Select(o => $"{o.File}: {o.Status} {o.What}"));
        Assert.Equal(400, Single("empty.txt").Status);
        Assert.Equal(413, Single("oversize.txt").Status);
        foreach (var refused in new[] { "bad-header.pdf", "page.pdf", "program.exe", "image.txt" }) Assert.Equal(415, Single(refused).Status);
        foreach (var failed in new[] { "truncated.pdf", "deep.json", "bomb.docx" })
            Assert.True(Single(failed).What.StartsWith("failed: ", StringComparison.Ordinal), Report());
        foreach (var ended in new[] { "many-objects.pdf", "flate-bomb.pdf", "huge.png" })
            Assert.True(Single(ended).What is "processed" || Single(ended).What.StartsWith("failed: ", StringComparison.Ordinal), Report());
        Assert.Equal("processed", Single("formulas.csv").What);
        Assert.Equal("processed", Single("invalid-utf8.txt").What);

        // The worker still serves, and nothing in an export can run as a spreadsheet formula.
        await client.ProcessedTextAsync("after.txt", "A plain memo after all of that.");
        var formulas = (await client.GetJsonAsync("/api/v1/documents?q=formulas.csv")).GetProperty("items")[0].Guid("id");
        await client.PostJsonAsync($"/api/v1/review/{formulas}/approve", null, HttpStatusCode.OK);
        var csv = Csv.Parse(await client.GetStringAsync($"/api/v1/documents/{formulas}/export/csv"));
        Assert.All(csv.SelectMany(row => row), cell =>
            Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '@' && !double.TryParse(cell, out _), $"formula cell: {cell}"));
        Assert.Equal(0, (await admin.GetJsonAsync("/api/v1/admin/stats")).Int("queue_depth"));

        var growth = memory.PeakBytes - memory.BaselineBytes;
        output.WriteLine($"{Report()}\nworking set: {memory.BaselineBytes / (1024 * 1024)} MB before, peak {memory.PeakBytes / (1024 * 1024)} MB");
        Assert.True(growth < 512L * 1024 * 1024, $"The server grew by {growth / (1024 * 1024)} MB while handling hostile files.\n{Report()}");

        Outcome Single(string name) => outcomes.Single(o => o.File == name);
    }

    private static string ErrorCodeOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").Str("code");

    private static IEnumerable<(string Name, byte[] Content)> Files()
    {
        yield return ("empty.txt", []);
        yield return ("oversize.txt", Encoding.ASCII.GetBytes(new string('a', (int)MaxFileBytes + 1)));
        yield return ("bad-header.pdf", "%PFD-1.4 this is not really a PDF\n"u8.ToArray());
        yield return ("page.pdf", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"u8.ToArray());
        yield return ("program.exe", "MZ\x90\0 a Windows program"u8.ToArray());
        yield return ("image.txt", Png(1, 1));
        yield return ("truncated.pdf", TextPdf("Cut off in the middle.")[..200]);
        yield return ("many-objects.pdf", ManyObjectsPdf(100_000));
        yield return ("flate-bomb.pdf", FlateBombPdf(100 * 1024 * 1024));
        yield return ("deep.json", Encoding.ASCII.GetBytes(new string('[', 100_000) + new string(']', 100_000)));
        yield return ("invalid-utf8.txt", [.. "Caf"u8, 0xC3, 0x28, .. " broken "u8, 0xFF, 0xFE, .. " bytes\n"u8]);
        yield return ("formulas.csv", "item,amount\n=HYPERLINK(\"http://evil.example\",\"click\"),10\n+SUM(A1:A2),20\n@cmd,30\n-2+3,40\n"u8.ToArray());
        yield return ("huge.png", Png(65535, 65535));
        yield return ("bomb.docx", DocxBomb(300 * 1024 * 1024));
    }

    /// <summary>A one-page PDF with a text layer; byte offsets in its xref are exact.</summary>
    private static byte[] TextPdf(string text)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({text}) Tj ET";
        return Pdf(
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    }

    private static byte[] ManyObjectsPdf(int count)
    {
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        };
        for (var i = 0; i < count; i++) objects.Add($"<< /N {i} >>");
        return Pdf([.. objects]);
    }

    /// <summary>A page whose content stream inflates from a few hundred kilobytes to <paramref name="inflatedBytes"/>.</summary>
    private static byte[] FlateBombPdf(int inflatedBytes)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var written = 0; written < inflatedBytes; written += zeros.Length) zlib.Write(zeros);
        }
        var head = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            + "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
            + $"4 0 obj\n<< /Length {compressed.Length} /Filter /FlateDecode >>\nstream\n");
        var tail = Encoding.ASCII.GetBytes("\nendstream\nendobj\ntrailer\n<< /Root 1 0 R /Size 5 >>\n%%EOF\n");
        return [.. head, .. compressed.ToArray(), .. tail];
    }

    private static byte[] Pdf(params string[] objects)
    {
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append($"{offset:D10} 00000 n \n");
        pdf.Append($"trailer\n<< /Root 1 0 R /Size {objects.Length + 1} >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>A PNG whose header claims <paramref name="width"/> x <paramref name="height"/> pixels; its pixel data is a few bytes.</summary>
    private static byte[] Png(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(new byte[1 + 3 * Math.Min(width, 16)]);
        return [0x89, .. "PNG\r\n\x1a\n"u8, .. Chunk("IHDR", header), .. Chunk("IDAT", pixels.ToArray()), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: the chunks here are tiny.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A Word document whose body inflates to <paramref name="inflatedBytes"/>.</summary>
    private static byte[] DocxBomb(int inflatedBytes)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var types = new StreamWriter(zip.CreateEntry("[Content_Types].xml").Open()))
                types.Write("""<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>""");
            using var body = zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            var spaces = Encoding.ASCII.GetBytes(new string(' ', 1024 * 1024));
            for (var written = 0; written < inflatedBytes; written += spaces.Length) body.Write(spaces);
        }
        return buffer.ToArray();
    }

    /// <summary>Samples this process's working set, which includes the in-memory test server.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private long _peak;

        private MemorySampler()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            BaselineBytes = Process.GetCurrentProcess().WorkingSet64;
            _peak = BaselineBytes;
            _sampling = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var now = Process.GetCurrentProcess().WorkingSet64;
                    if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                    try { await Task.Delay(50, _stop.Token); } catch (OperationCanceledException) { }
                }
            });
        }

        public long BaselineBytes { get; }

        public long PeakBytes => Interlocked.Read(ref _peak);

        public static MemorySampler Start() => new();

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.Wait();
            _stop.Dispose();
        }
    }
}
