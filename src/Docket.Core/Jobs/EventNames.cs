using Docket.Core.Pipeline;

namespace Docket.Core.Jobs;

/// <summary>The progress event names of DESIGN.md.</summary>
public static class EventNames
{
    public const string JobQueued = "job_queued";
    public const string JobStarted = "job_started";
    public const string DocumentParsingStarted = "document_parsing_started";
    public const string DocumentParsingCompleted = "document_parsing_completed";
    public const string AnalysisStarted = "analysis_started";
    public const string AnalysisCompleted = "analysis_completed";
    public const string FieldExtractionStarted = "field_extraction_started";
    public const string FieldExtractionCompleted = "field_extraction_completed";
    public const string JobCompleted = "job_completed";
    public const string JobFailed = "job_failed";
    public const string JobRetrying = "job_retrying";
    public const string JobCancelled = "job_cancelled";

    /// <summary>Progress inside a stage (e.g. an OCR page); not one of the phase boundaries.</summary>
    public const string StageProgress = "stage_progress";

    public static bool IsTerminal(string name) => name is JobCompleted or JobFailed or JobCancelled;

    public static string Started(PipelinePhase phase) => phase switch
    {
        PipelinePhase.Parsing => DocumentParsingStarted,
        PipelinePhase.Analysis => AnalysisStarted,
        PipelinePhase.FieldExtraction => FieldExtractionStarted,
        _ => throw new ArgumentOutOfRangeException(nameof(phase)),
    };

    public static string Completed(PipelinePhase phase) => phase switch
    {
        PipelinePhase.Parsing => DocumentParsingCompleted,
        PipelinePhase.Analysis => AnalysisCompleted,
        PipelinePhase.FieldExtraction => FieldExtractionCompleted,
        _ => throw new ArgumentOutOfRangeException(nameof(phase)),
    };
}
