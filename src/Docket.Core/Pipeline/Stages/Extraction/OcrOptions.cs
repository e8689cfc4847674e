using System.ComponentModel.DataAnnotations;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>Section "Ocr": how scanned PDFs and images are read with tesseract.</summary>
public sealed class OcrOptions
{
    public const string Section = "Ocr";

    /// <summary>
    /// tesseract's language models, joined with '+'. All three are loaded for every page: the
    /// language of a scan is unknown until it has been read, and the accents of German and French
    /// need their models (see docs/decisions.md for what it costs).
    /// </summary>
    [Required]
    [RegularExpression("^[a-z][a-z_]*(\\+[a-z][a-z_]*)*$", ErrorMessage = "Languages are tesseract model names joined with '+', e.g. eng+deu+fra.")]
    public string Languages { get; set; } = "eng+deu+fra";

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
