using System.ComponentModel.DataAnnotations;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Section "Ocr": how scanned PDFs and images are read with tesseract.</summary>
public sealed class OcrOptions
{
    public const string Section = "Ocr";

    /// <summary>
    /// tesseract's language models, joined with '+', the first the one a page is read with first. A document's
    /// accents need the model of its language; which one is chosen per document (<see cref="ChooseLanguages"/>),
    /// so with ten configured a page still costs one run, or two when it is not in the first one's language.
    /// </summary>
    [Required]
    [RegularExpression("^[a-z][a-z_]*(\\+[a-z][a-z_]*)*$", ErrorMessage = "Languages are tesseract model names joined with '+', e.g. eng+deu+fra.")]
    public string Languages { get; set; } = "eng+deu+fra+nld+spa+ita+por+pol+swe+dan";

    /// <summary>
    /// Read each document with the first model, then again with the one model its words say it is in, when that
    /// is another (<see cref="OcrLanguages"/>). Off: every page is read with all of <see cref="Languages"/> at once.
    /// </summary>
    public bool ChooseLanguages { get; set; } = true;

    /// <summary>
    /// tesseract's page segmentation mode (<c>--psm</c>). 6, one uniform block, keeps each table row on one line
    /// (label and amount together); the default, 3, splits columns apart. 3, 4 and 11 read the receipts worse (decision 73).
    /// </summary>
    [Range(0, 13)]
    public int PageSegmentation { get; set; } = 6;

    /// <summary>
    /// tesseract's <c>thresholding_method</c>, how a page is made black and white before it is read: 0 Otsu over the
    /// whole page (tesseract's default), 1 Otsu in tiles, 2 Sauvola.
    /// </summary>
    [Range(0, 2)]
    public int Thresholding { get; set; }

    /// <summary>
    /// The <c>thresholding_method</c> a page is read again with when tesseract was sure of fewer than a fifth of the
    /// words it read with <see cref="Thresholding"/> (<see cref="TesseractOcr.MinConfidentShare"/>): 2, Sauvola, reads
    /// the grey, noisy paper that Otsu turns to noise. Null: no second try.
    /// </summary>
    [Range(0, 2)]
    public int? NoisyPageThresholding { get; set; } = 2;

    /// <summary>Resolution scanned PDF pages are rendered at; scans are mostly 150-300 dpi, and tesseract reads 300 best.</summary>
    [Range(72, 600)]
    public int Dpi { get; set; } = 300;

    /// <summary>
    /// Largest page OCR takes on, in pixels (50 megapixels is an A3 page at 400 dpi). Images
    /// beyond it are refused from their header; PDF pages are rendered at a lower resolution.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>Most pages OCR reads in one document; at a second or two a page, 500 is a quarter of an hour.</summary>
    [Range(1, 100_000)]
    public int MaxPages { get; set; } = 500;

    /// <summary>How long one page may take to render or to read; a multi-page TIFF gets this per page.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PageTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where a scanned PDF's page images are written while tesseract reads them (the system's temp
    /// folder when empty). Each job uses a folder of its own there and removes it, whatever happens.
    /// </summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Address-space cap of pdftoppm and tesseract (RLIMIT_AS).</summary>
    [Range(64L * 1024 * 1024, long.MaxValue)]
    public long MemoryLimitBytes { get; set; } = ExternalTool.DefaultMemoryLimitBytes;
}
