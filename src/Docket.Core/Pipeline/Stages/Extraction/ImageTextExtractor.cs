using Docket.Core.Uploads;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Scans and photos (PNG, JPEG, TIFF with any number of pages) through tesseract. The page sizes
/// are read from the header first, so an image too large to decode is refused without decoding it.
/// </summary>
public sealed class ImageTextExtractor(OcrOptions? options = null) : ITextExtractor
{
    private readonly TesseractOcr _ocr = new(options ?? new OcrOptions());

    public bool CanExtract(FileKind kind) => kind is FileKind.Png or FileKind.Jpeg or FileKind.Tiff;

    public async ValueTask<ExtractedText> ExtractAsync(DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        var limits = _ocr.Options;
        var sizes = ImageHeaders.Read(doc.FilePath, doc.Kind, limits.MaxPages);
        for (var i = 0; i < sizes.Count; i++)
        {
            var size = sizes[i];
            if (size.Pixels == 0)
                throw new UnprocessableDocumentException($"The image{PageName(i, sizes.Count)} has no pixels ({size}).");
            if (size.Pixels > limits.MaxPixels)
                throw new UnprocessableDocumentException(FormattableString.Invariant(
                    $"The image{PageName(i, sizes.Count)} is {size} ({size.Pixels / 1e6:0.#} megapixels); Docket reads images of up to {limits.MaxPixels / 1e6:0.#} megapixels."));
        }

        var what = sizes.Count == 1 ? "the image" : $"the {sizes.Count}-page image";
        var read = await _ocr.ReadAsync(doc.FilePath, dpi: null, what, sizes.Count,
            page => progress.Report(new StageProgress(100 * Math.Min(page, sizes.Count) / sizes.Count, $"OCR page {page} of {sizes.Count}")),
            ct);

        var pages = read.Pages.ToList();
        while (pages.Count < sizes.Count) pages.Add(new LaidOutPage("", new PageSize(sizes[pages.Count].Width, sizes[pages.Count].Height, "px"), []));
        var result = PageText.Join(pages, PdfTextExtractor.OcrMethod);
        if (string.IsNullOrWhiteSpace(result.Content))
            throw new UnprocessableDocumentException(sizes.Count == 1 ? "OCR found no text in the image." : $"OCR found no text on the {sizes.Count} pages of the image.");
        return result;
    }

    private static string PageName(int index, int pages) => pages == 1 ? "" : $" (page {index + 1})";
}
