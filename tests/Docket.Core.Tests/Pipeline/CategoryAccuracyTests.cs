using System.Text.Json;
using Docket.Core.Pipeline;
using Xunit.Abstractions;

namespace Docket.Core.Tests.Pipeline;

/// <summary>
/// How often the rules file a document under its labelled category and name its language, per
/// category, on two sets: the shared labelled corpus, and documents written for these tests
/// (Pipeline/Documents/&lt;category&gt;/&lt;language&gt;-*.*) that the rules were not written from.
/// The figures are printed; the assertions are floors, so rules that memorise one set fail the other.
/// </summary>
public sealed class CategoryAccuracyTests(ITestOutputHelper output)
{
    public sealed record Labelled(string Name, string Path, string Category, string? Language);

    /// <summary>The corpus documents that have a text layer (images and scans wait for OCR).</summary>
    public static IEnumerable<Labelled> Corpus()
    {
        using var truth = JsonDocument.Parse(File.ReadAllText(SharedSamples.PathTo("invoices", "truth.json")));
        foreach (var document in truth.RootElement.GetProperty("documents").EnumerateArray())
        {
            var file = document.GetProperty("file").GetString()!;
            if (file.EndsWith(".png", StringComparison.Ordinal) || file.EndsWith(".jpg", StringComparison.Ordinal)) continue;
            if (document.GetProperty("notes").EnumerateArray().Any(n => n.GetString()!.Contains("OCR required", StringComparison.Ordinal))) continue;
            yield return new Labelled(file, SharedSamples.PathTo("invoices", file),
                document.GetProperty("category").GetString()!, document.GetProperty("language").GetString());
        }
    }

    /// <summary>Documents invented for these tests; the folder names the category, the file name starts with the language.</summary>
    public static IEnumerable<Labelled> Invented()
    {
        var root = InventedDocuments.Folder;
        foreach (var path in Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var category = Path.GetFileName(Path.GetDirectoryName(path)!);
            var name = Path.GetFileName(path);
            yield return new Labelled($"{category}/{name}", path, category, name[..2]);
        }
    }

    [Fact]
    public async Task Rules_FileTheLabelledCorpus_ByCategory()
    {
        var score = await Measure(Corpus());

        Assert.True(score.Documents >= 50, $"Only {score.Documents} corpus documents with a text layer were found.");
        Assert.True(score.CategoryAccuracy >= 0.9, score.Report);
        Assert.True(score.LanguageAccuracy >= 0.9, score.Report);
    }

    [Fact]
    public async Task Rules_FileDocumentsWrittenForTheseTests_ByCategory()
    {
        var score = await Measure(Invented());

        Assert.True(score.Documents >= 40, $"Only {score.Documents} invented documents were found.");
        Assert.True(score.CategoryAccuracy >= 0.9, score.Report);
        Assert.True(score.WorstCategoryAccuracy >= 2.0 / 3, score.Report);
        Assert.True(score.LanguageAccuracy >= 0.9, score.Report);
    }

    private sealed record Score(int Documents, double CategoryAccuracy, double WorstCategoryAccuracy, double LanguageAccuracy, string Report);

    private async Task<Score> Measure(IEnumerable<Labelled> documents)
    {
        var perCategory = new SortedDictionary<string, (int Right, int Total)>(StringComparer.Ordinal);
        int count = 0, categoryRight = 0, languageRight = 0;
        var mistakes = new List<string>();
        foreach (var document in documents)
        {
            var context = await Stages.RunAll(TempFiles.Input(document.Path));
            var (right, total) = perCategory.GetValueOrDefault(document.Category);
            var correct = context.Category!.Category == document.Category;
            perCategory[document.Category] = (right + (correct ? 1 : 0), total + 1);
            count++;
            if (correct) categoryRight++;
            else mistakes.Add($"  {document.Name}: filed as {context.Category.Category} ({context.Category.Confidence})");
            if (context.Analysis!.Language == document.Language) languageRight++;
            else mistakes.Add($"  {document.Name}: language {document.Language}, guessed {context.Analysis.Language ?? "(unsure)"}");
        }

        var report = string.Join('\n',
        [
            $"category {categoryRight}/{count}, language {languageRight}/{count}",
            .. perCategory.Select(pair => $"  {pair.Key,-16}{pair.Value.Right,3}/{pair.Value.Total}"),
            .. mistakes,
        ]);
        output.WriteLine(report);
        return new Score(count, (double)categoryRight / count, perCategory.Values.Min(v => (double)v.Right / v.Total),
            (double)languageRight / count, report);
    }
}

public static class InventedDocuments
{
    public static string Folder { get; } = Path.Combine(SharedSamples.RepoRoot, "tests", "Docket.Core.Tests", "Pipeline", "Documents");
}
