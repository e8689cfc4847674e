namespace Docket.Core.Uploads;

public enum FileKind
{
    Text,
    Markdown,
    Csv,
    Json,
    Pdf,
    Png,
    Jpeg,
    Tiff,
    Docx,
}

public static class FileKinds
{
    private static readonly Dictionary<string, FileKind> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = FileKind.Text,
        [".text"] = FileKind.Text,
        [".md"] = FileKind.Markdown,
        [".markdown"] = FileKind.Markdown,
        [".csv"] = FileKind.Csv,
        [".json"] = FileKind.Json,
        [".pdf"] = FileKind.Pdf,
        [".png"] = FileKind.Png,
        [".jpg"] = FileKind.Jpeg,
        [".jpeg"] = FileKind.Jpeg,
        [".tif"] = FileKind.Tiff,
        [".tiff"] = FileKind.Tiff,
        [".docx"] = FileKind.Docx,
    };

    public static IEnumerable<string> AcceptedExtensions => ByExtension.Keys;

    /// <summary>The largest text upload whose bytes are stored in the database rather than as a file.</summary>
    public const int MaxBytesInDatabase = 64 * 1024;

    /// <summary>
    /// Small text documents are stored in the database (decision 63): their extractors read them from memory,
    /// while the other kinds go to external programs or libraries that open a file.
    /// </summary>
    public static bool IsKeptInDatabase(FileKind kind, long sizeBytes) =>
        sizeBytes <= MaxBytesInDatabase && kind is FileKind.Text or FileKind.Markdown or FileKind.Csv or FileKind.Json;

    public static FileKind? FromFileName(string fileName) =>
        ByExtension.TryGetValue(Path.GetExtension(fileName), out var kind) ? kind : null;

    /// <summary>The short name used in the API and exports ("txt", "pdf", ...).</summary>
    public static string WireName(this FileKind kind) => kind switch
    {
        FileKind.Text => "txt",
        FileKind.Markdown => "md",
        FileKind.Csv => "csv",
        FileKind.Json => "json",
        FileKind.Pdf => "pdf",
        FileKind.Png => "png",
        FileKind.Jpeg => "jpg",
        FileKind.Tiff => "tiff",
        FileKind.Docx => "docx",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static FileKind FromWireName(string name) =>
        Enum.GetValues<FileKind>().First(k => k.WireName() == name);

    public static string MediaType(this FileKind kind) => kind switch
    {
        FileKind.Text => "text/plain",
        FileKind.Markdown => "text/markdown",
        FileKind.Csv => "text/csv",
        FileKind.Json => "application/json",
        FileKind.Pdf => "application/pdf",
        FileKind.Png => "image/png",
        FileKind.Jpeg => "image/jpeg",
        FileKind.Tiff => "image/tiff",
        FileKind.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool IsText(this FileKind kind) =>
        kind is FileKind.Text or FileKind.Markdown or FileKind.Csv or FileKind.Json;
}
