namespace Docket.Server.Tests.Infrastructure;

/// <summary>The seed sample files shipped beside the repository (../shared/samples/... from the folder holding Docket.slnx).</summary>
public static class Samples
{
    public static readonly string[] FileNames =
        ["sample-invoice.csv", "sample-letter.txt", "sample-memo.md", "sample-report.txt", "sample-technical-doc.json"];

    /// <summary>The folder holding Docket.slnx.</summary>
    public static string RepoRoot { get; } = RepositoryRoot();

    public static string Directory { get; } = Path.Combine(RepoRoot, "..", "shared", "samples",
        "async-document-processing-workflow", "sample-files");

    public static byte[] Read(string fileName) => File.ReadAllBytes(Path.Combine(Directory, fileName));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Docket.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No Docket.slnx above {AppContext.BaseDirectory}.");
    }
}
