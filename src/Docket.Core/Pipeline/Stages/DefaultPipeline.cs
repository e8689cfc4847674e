using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Pipeline.Stages;

public static class DefaultPipeline
{
    /// <summary>The stages in the order they run: extract, analyse, categorise, fields.</summary>
    public static IReadOnlyList<IPipelineStage> CreateStages() =>
    [
        new ExtractTextStage([new PlainTextExtractor(), new CsvTextExtractor(), new JsonTextExtractor(), new PdfTextExtractor(), new DocxTextExtractor()]),
        new AnalyseStage(),
        new CategoriseStage(),
        new ExtractFieldsStage(),
    ];
}
