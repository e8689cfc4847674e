using System.Text;
using Docket.Core.Pipeline;
using Docket.Core.Pipeline.Stages;
using Docket.Core.Uploads;

namespace Docket.Core.Tests.Pipeline;

/// <summary>Temporary input files and stage runs for the pipeline tests.</summary>
public sealed class TempFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("docket-stage-tests-").FullName;

    public DocumentInput Write(string fileName, string content, Encoding? encoding = null) =>
        Write(fileName, (encoding ?? new UTF8Encoding(false)).GetPreamble().Concat((encoding ?? new UTF8Encoding(false)).GetBytes(content)).ToArray());

    public DocumentInput Write(string fileName, byte[] bytes)
    {
        var path = Path.Combine(_folder, fileName);
        File.WriteAllBytes(path, bytes);
        return Input(path);
    }

    /// <summary>An empty folder inside the temporary one.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;

    public static DocumentInput Input(string path) =>
        new(Guid.NewGuid(), Path.GetFileName(path), FileKinds.FromFileName(path)!.Value, new FileInfo(path).Length, path);

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

public static class Stages
{
    public static async Task<PipelineContext> RunAll(DocumentInput input)
    {
        var context = new PipelineContext(input);
        foreach (var stage in DefaultPipeline.CreateStages())
            await stage.RunAsync(context, CancellationToken.None);
        return context;
    }

    /// <summary>Runs analyse, categorise and fields over a text as if it had been extracted.</summary>
    public static PipelineContext RunOnText(string text, FileKind kind = FileKind.Text)
    {
        var context = new PipelineContext(new DocumentInput(Guid.NewGuid(), "doc." + kind.WireName(), kind, text.Length, "/nonexistent"))
        {
            Text = new ExtractedText(text, [0], "native"),
        };
        foreach (var stage in DefaultPipeline.CreateStages().Skip(1))
            stage.RunAsync(context, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return context;
    }
}

public static class SharedSamples
{
    /// <summary>The folder holding Docket.slnx.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>/work/shared/samples seen from the repository root (the folder with Docket.slnx).</summary>
    public static string Folder { get; } = Path.Combine(RepoRoot, "..", "shared", "samples");

    public static string PathTo(params string[] parts) => Path.Combine([Folder, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Docket.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Docket.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Reports on the calling thread; <see cref="Progress{T}"/> would post to the thread pool and race the asserts.</summary>
public sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
{
    public void Report(StageProgress value) => report(value);
}
