using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Pipeline.Stages.EInvoices;
using Docket.Core.Pipeline.Stages.Extraction;
using Docket.Core.Uploads;

namespace Docket.Eval;

/// <summary>A labelled document as Docket's extract stage reads it.</summary>
/// <param name="Error">Why Docket could not read it (a refusal or a failed tool): every field is then missed.</param>
internal sealed record ReadDocument(TruthDocument Truth, FileKind Kind, ExtractedText? Text, EmbeddedInvoice? Embedded, string? Error, string Group)
{
    public string Key => Group == Eval.Truth.GoldText ? Truth.Key + "#gold" : Truth.Key;
}

/// <summary>
/// Reads every labelled document with Docket's own extract stage (pdftotext, tesseract and all), and
/// keeps the text under a cache folder keyed by the file's hash and the OCR languages, so repeated
/// evaluations and training runs pay for OCR once. <c>--fresh</c> reads everything again.
/// </summary>
internal sealed class Corpus(string cacheFolder, bool fresh)
{
    /// <summary>Raise when the extract stage changes what it reads, so cached texts are read again.</summary>
    private const int TextVersion = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<List<ReadDocument>> ReadAsync(IReadOnlyList<TruthDocument> documents, bool includeOcr, int parallelism, CancellationToken ct)
    {
        Directory.CreateDirectory(cacheFolder);
        var stage = (ExtractTextStage)DefaultPipeline.CreateStages()[0];
        var results = new ReadDocument?[documents.Count];
        await Parallel.ForAsync(0, documents.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, token) =>
        {
            var truth = documents[i];
            results[i] = await ReadAsync(truth, stage, includeOcr, token);
        });

        var read = results.Where(r => r is not null).Select(r => r!).ToList();
        foreach (var truth in documents.Where(d => d.GoldOcr is not null))
            read.Add(new ReadDocument(truth, FileKind.Jpeg, GoldText(truth.GoldOcr!, GoldPageSize(truth)), null, null, Eval.Truth.GoldText));
        return read;
    }

    private async Task<ReadDocument?> ReadAsync(TruthDocument truth, ExtractTextStage stage, bool includeOcr, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(truth.Path, ct);
        var sniffed = ContentSniffer.Sniff(Path.GetFileName(truth.Path), bytes.AsSpan(0, Math.Min(bytes.Length, ContentSniffer.HeadLength)));
        if (sniffed is not SniffResult.Accepted { Kind: var kind })
            return new ReadDocument(truth, FileKind.Text, null, null, ((SniffResult.Refused)sniffed).Message, truth.Group);
        if (!includeOcr && truth.Group == Eval.Truth.Ocr) return null;

        var input = new DocumentInput(Guid.NewGuid(), Path.GetFileName(truth.Path), kind, bytes.Length, truth.Path);
        var cached = Path.Combine(cacheFolder, $"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}-{new OcrOptions().Languages.Replace('+', '-')}-v{TextVersion}.json");
        if (!fresh && File.Exists(cached) && JsonSerializer.Deserialize<CachedText>(await File.ReadAllTextAsync(cached, ct), Json) is { } hit)
        {
            var embedded = kind == FileKind.Pdf ? await EmbeddedInvoiceReader.ReadAsync(truth.Path, ct) : null;
            return new ReadDocument(truth, kind, hit.Error is null ? new ExtractedText(hit.Content!, hit.PageStarts!, hit.Method!) { Geometry = hit.Geometry } : null, embedded, hit.Error, truth.Group);
        }

        var context = new PipelineContext(input);
        try
        {
            await stage.RunAsync(context, ct);
        }
        catch (UnprocessableDocumentException refused)
        {
            await WriteAsync(cached, new CachedText(null, null, null, null, refused.Message), ct);
            return new ReadDocument(truth, kind, null, null, refused.Message, truth.Group);
        }
        catch (Exception ex) when (ex is ExternalToolException or TimeoutException)
        {
            // A missing tool or a page that timed out on a busy machine: a worker would retry it, so it is not kept.
            return new ReadDocument(truth, kind, null, null, ex.Message, truth.Group);
        }

        var text = context.RequireText();
        await WriteAsync(cached, new CachedText(text.Content, [.. text.PageStarts], text.Method, text.Geometry, null), ct);
        return new ReadDocument(truth, kind, text, context.EmbeddedInvoice, null, truth.Group);
    }

    private static ImageSize? GoldPageSize(TruthDocument truth)
    {
        var head = File.ReadAllBytes(truth.Path).AsSpan();
        return ContentSniffer.Sniff(Path.GetFileName(truth.Path), head[..Math.Min(head.Length, ContentSniffer.HeadLength)]) is SniffResult.Accepted { Kind: var kind }
            && kind is FileKind.Png or FileKind.Jpeg or FileKind.Tiff
            ? ImageHeaders.Read(truth.Path, kind, 1)[0]
            : null;
    }

    private static Task WriteAsync(string path, CachedText text, CancellationToken ct) =>
        File.WriteAllTextAsync(path, JsonSerializer.Serialize(text, Json), ct);

    private sealed record CachedText(string? Content, int[]? PageStarts, string? Method, TextGeometry? Geometry, string? Error);

    /// <summary>
    /// A receipt's exact transcription (one text line per row with its four corners) laid out as
    /// Docket lays out tesseract's words: each line's words spread over its box in proportion to their
    /// length, through <see cref="OcrLayout"/>, so field extraction reads it as it would read a perfect OCR.
    /// </summary>
    public static ExtractedText GoldText(string boxFile, ImageSize? page = null)
    {
        // tesseract's TSV: a page row with the image's size (the words' reach when not known), then a row per word with its line number and box.
        var tsv = new StringBuilder(FormattableString.Invariant($"1\t1\t0\t0\t0\t0\t0\t0\t{page?.Width ?? 1}\t{page?.Height ?? 1}\t-1\t\n"));
        var lineNumber = 0;
        foreach (var row in File.ReadLines(boxFile))
        {
            var parts = row.Split(',', 9);
            if (parts.Length < 9 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out _)) continue;
            var xs = new[] { parts[0], parts[2], parts[4], parts[6] }.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var ys = new[] { parts[1], parts[3], parts[5], parts[7] }.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            var (left, right, top, bottom) = (xs.Min(), xs.Max(), ys.Min(), ys.Max());
            var words = parts[8].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0) continue;
            lineNumber++;
            var characters = Math.Max(1, parts[8].Trim().Length);
            var perChar = (double)(right - left) / characters;
            var offset = 0;
            var at = parts[8].TrimStart();
            for (var w = 0; w < words.Length; w++)
            {
                var index = at.IndexOf(words[w], offset, StringComparison.Ordinal);
                offset = index + words[w].Length;
                var wordLeft = left + (int)Math.Round(index * perChar);
                var width = Math.Max(1, (int)Math.Round(words[w].Length * perChar));
                tsv.Append(CultureInfo.InvariantCulture, $"5\t1\t1\t1\t{lineNumber}\t{w + 1}\t{wordLeft}\t{top}\t{width}\t{bottom - top}\t96\t{words[w]}\n");
            }
        }

        return PageText.Join(OcrLayout.FromTsv(tsv.ToString()), "ocr (exact transcription)");
    }
}
