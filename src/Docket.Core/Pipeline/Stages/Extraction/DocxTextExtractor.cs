using System.IO.Compression;
using System.Text;
using Docket.Core.Uploads;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Docket.Core.Pipeline.Stages.Extraction;

/// <summary>
/// Word documents through the Open XML SDK: the body's paragraphs in document order, one line
/// each, and tables one row per line with cells joined by " | " (as the CSV extractor does), so
/// an invoice's line items keep label and amount on the same line. Headers and footers are left
/// out: they repeat on every page and rarely hold what the field stage looks for.
/// </summary>
public sealed class DocxTextExtractor(
    long maxUncompressedBytes = DocxTextExtractor.DefaultMaxUncompressedBytes,
    double maxCompressionRatio = DocxTextExtractor.DefaultMaxCompressionRatio) : ITextExtractor
{
    public const string Method = "openxml";

    /// <summary>Real Word files, images included, are a few MB unpacked; 200 MB leaves room for odd ones.</summary>
    public const long DefaultMaxUncompressedBytes = 200L * 1024 * 1024;

    /// <summary>
    /// XML deflates about 5-20:1; a ratio far above that means an entry built to expand
    /// (a run of zeros, a zip bomb) rather than a document.
    /// </summary>
    public const double DefaultMaxCompressionRatio = 100;

    /// <summary>Small entries may compress well by chance and cannot do harm, so the ratio is checked above this size only.</summary>
    public const long RatioCheckedAboveBytes = 1024 * 1024;

    public bool CanExtract(FileKind kind) => kind == FileKind.Docx;

    public ValueTask<ExtractedText> ExtractAsync(
        DocumentInput doc, IProgress<StageProgress> progress, CancellationToken ct)
    {
        CheckArchive(doc.FilePath);
        ct.ThrowIfCancellationRequested();

        string text;
        try
        {
            using var word = WordprocessingDocument.Open(doc.FilePath, false);
            var body = word.MainDocumentPart?.Document?.Body
                ?? throw Damaged("it has no document body");
            var output = new StringBuilder();
            AppendBlocks(output, body, ct);
            text = output.ToString();
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException
                                       or System.Xml.XmlException)
        {
            throw Damaged(ex.Message, ex);
        }

        ExtractionProgress.ReportRead(progress, doc.SizeBytes);
        var normalised = text.Contains('\r') ? text.Replace("\r\n", "\n").Replace('\r', '\n') : text;
        return ValueTask.FromResult(new ExtractedText(TextDecoding.Truncate(normalised.TrimEnd('\n')), [0], Method));
    }

    /// <summary>
    /// Reads only the zip central directory (sizes as the archive declares them) and refuses
    /// archives that would unpack to too much, before the SDK inflates anything. Trusting the
    /// declared sizes is safe: .NET's ZipArchive stops reading an entry at its declared length,
    /// so an archive that understates its sizes yields truncated (hence invalid) XML, not more data.
    /// </summary>
    private void CheckArchive(string path)
    {
        try
        {
            using var archive = ZipFile.OpenRead(path);
            long total = 0;
            foreach (var entry in archive.Entries)
            {
                total += entry.Length;
                if (total > maxUncompressedBytes)
                    throw new UnprocessableDocumentException(
                        $"The DOCX would unpack to more than {Size(maxUncompressedBytes)}; Docket does not open it.");
                // A zero compressed length with content is the extreme ratio, so it counts as one.
                if (entry.Length > RatioCheckedAboveBytes &&
                    (entry.CompressedLength == 0 || (double)entry.Length / entry.CompressedLength > maxCompressionRatio))
                    throw new UnprocessableDocumentException(
                        $"The DOCX looks like a zip bomb: '{entry.FullName}' expands more than {maxCompressionRatio:0}:1; Docket does not open it.");
            }
        }
        catch (InvalidDataException ex)
        {
            throw Damaged(ex.Message, ex);
        }
    }

    private static string Size(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024):N0} MB" : $"{bytes:N0} bytes";

    private static UnprocessableDocumentException Damaged(string detail, Exception? inner = null) =>
        new($"The DOCX is damaged or not a Word document: {detail}", inner);

    /// <summary>Paragraphs and tables at block level; content controls and other wrappers are walked into.</summary>
    private static void AppendBlocks(StringBuilder output, OpenXmlElement container, CancellationToken ct)
    {
        foreach (var child in container.ChildElements)
        {
            ct.ThrowIfCancellationRequested();
            switch (child)
            {
                case Paragraph paragraph:
                    AppendParagraph(output, paragraph);
                    output.Append('\n');
                    break;
                case Table table:
                    AppendTable(output, table);
                    break;
                case SectionProperties:
                    break;
                default:
                    // SdtBlock, CustomXmlBlock and the like hold paragraphs and tables of their own.
                    if (child.HasChildren) AppendBlocks(output, child, ct);
                    break;
            }
        }
    }

    private static void AppendTable(StringBuilder output, Table table)
    {
        foreach (var row in table.Descendants<TableRow>().Where(r => r.Ancestors<Table>().First() == table))
        {
            var first = true;
            foreach (var cell in row.Descendants<TableCell>().Where(c => c.Ancestors<TableRow>().First() == row))
            {
                if (!first) output.Append(CsvTextExtractor.CellSeparator);
                first = false;
                output.Append(CellText(cell));
            }
            output.Append('\n');
        }
    }

    /// <summary>A cell's paragraphs (and any nested table) on one line, so that one line stays one row.</summary>
    private static string CellText(TableCell cell)
    {
        var text = new StringBuilder();
        foreach (var paragraph in cell.Descendants<Paragraph>())
        {
            if (text.Length > 0) text.Append(' ');
            AppendParagraph(text, paragraph);
        }
        return text.Replace('\n', ' ').Replace('\r', ' ').ToString().Trim();
    }

    /// <summary>
    /// The visible text of one paragraph: runs concatenated, tabs as '\t', line breaks as '\n'.
    /// Deleted revisions (w:delText) and field codes (w:instrText) are other element types and
    /// so stay out.
    /// </summary>
    private static void AppendParagraph(StringBuilder output, Paragraph paragraph)
    {
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Text t: output.Append(t.Text); break;
                case TabChar: output.Append('\t'); break;
                case Break or CarriageReturn: output.Append('\n'); break;
                case NoBreakHyphen: output.Append('-'); break;
            }
        }
    }
}
