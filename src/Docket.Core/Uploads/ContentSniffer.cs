namespace Docket.Core.Uploads;

public abstract record SniffResult
{
    public sealed record Accepted(FileKind Kind) : SniffResult;

    public sealed record Refused(string Code, string Message) : SniffResult;
}

/// <summary>
/// Decides a file's type from its first bytes and cross-checks it with the name's extension.
/// The extension alone is never trusted: a PDF renamed .txt, or HTML renamed .pdf, is refused.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> wants to see (fewer for smaller files).</summary>
    public const int HeadLength = 8192;

    private static ReadOnlySpan<byte> PdfMagic => "%PDF-"u8;
    private static ReadOnlySpan<byte> PngMagic => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegMagic => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> TiffLittleEndian => [0x49, 0x49, 0x2A, 0x00];
    private static ReadOnlySpan<byte> TiffBigEndian => [0x4D, 0x4D, 0x00, 0x2A];
    private static ReadOnlySpan<byte> ZipMagic => [0x50, 0x4B, 0x03, 0x04];
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    public static SniffResult Sniff(string fileName, ReadOnlySpan<byte> head)
    {
        var claimed = FileKinds.FromFileName(fileName);
        if (claimed is null)
        {
            var extension = Path.GetExtension(fileName);
            return new SniffResult.Refused("unsupported_type",
                (extension.Length == 0 ? "The file name has no extension" : $"Files of type '{extension}' are not accepted")
                + $"; accepted: {string.Join(", ", FileKinds.AcceptedExtensions.Select(e => e.TrimStart('.')).Distinct())}.");
        }

        var binary = DetectBinary(head);
        if (claimed.Value.IsText())
        {
            if (binary is not null)
                return Mismatch(fileName, binary.Value);
            if (head.IndexOf((byte)0) >= 0)
                return new SniffResult.Refused("type_mismatch", $"'{fileName}' is named as text but contains binary data.");
            if (claimed == FileKind.Json && !LooksLikeJson(head))
                return new SniffResult.Refused("type_mismatch", $"'{fileName}' is named .json but does not start with a JSON object or array.");
            return new SniffResult.Accepted(claimed.Value);
        }

        if (binary == claimed)
            return new SniffResult.Accepted(claimed.Value);
        return binary is null
            ? new SniffResult.Refused("type_mismatch", $"'{fileName}' is not a valid {claimed.Value.WireName().ToUpperInvariant()} file (its content does not match its extension).")
            : Mismatch(fileName, binary.Value);
    }

    private static SniffResult Mismatch(string fileName, FileKind actual) =>
        new SniffResult.Refused("type_mismatch",
            $"'{fileName}' contains {actual.WireName().ToUpperInvariant()} data, which does not match its extension.");

    private static FileKind? DetectBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PdfMagic)) return FileKind.Pdf;
        if (head.StartsWith(PngMagic)) return FileKind.Png;
        if (head.StartsWith(JpegMagic)) return FileKind.Jpeg;
        if (head.StartsWith(TiffLittleEndian) || head.StartsWith(TiffBigEndian)) return FileKind.Tiff;
        // Any zip is taken for a DOCX candidate here; the upload checks its parts once the whole file is stored.
        if (head.StartsWith(ZipMagic)) return FileKind.Docx;
        return null;
    }

    private static bool LooksLikeJson(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(Utf8Bom)) head = head[3..];
        foreach (var b in head)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') continue;
            return b is (byte)'{' or (byte)'[';
        }
        return false;
    }
}
