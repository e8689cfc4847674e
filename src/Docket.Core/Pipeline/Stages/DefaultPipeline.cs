using Docket.Core.Learning;
using Docket.Core.Pipeline.Stages.Analysis;
using Docket.Core.Pipeline.Stages.Categorising;
using Docket.Core.Pipeline.Stages.Extraction;

namespace Docket.Core.Pipeline.Stages;

public static class DefaultPipeline
{
    /// <summary>The stages in the order they run: extract, analyse, categorise, fields.</summary>
    /// <param name="classifier">Learns from finalised documents and reviews the category rules; none: rules alone.</param>
    /// <param name="frequencies">Term frequencies over finalised documents, for TF-IDF keywords; none: term frequency alone.</param>
    /// <param name="vendors">Every owner's vendor memory, for the field stage (a document gets its owner's); none: the rules' fields alone (as `docket extract` reads them).</param>
    /// <param name="ocr">How scans and images are read; the defaults when not given.</param>
    public static IReadOnlyList<IPipelineStage> CreateStages(
        CategoryClassifier? classifier = null, DocumentFrequencies? frequencies = null, VendorMemories? vendors = null,
        OcrOptions? ocr = null) =>
    [
        new ExtractTextStage(
        [
            new PlainTextExtractor(), new CsvTextExtractor(), new JsonTextExtractor(),
            new PdfTextExtractor(ocr), new ImageTextExtractor(ocr), new DocxTextExtractor(),
        ]),
        new AnalyseStage(frequencies),
        new CategoriseStage(classifier),
        new ExtractFieldsStage(vendors),
    ];
}
