namespace Docket.Core.Pipeline;

/// <summary>
/// The phases that progress events name. Several stages may share a phase (analyse and
/// categorise both belong to "analysis"); the runner emits a phase's started event before its
/// first stage and its completed event after its last.
/// </summary>
public enum PipelinePhase
{
    Parsing,
    Analysis,
    FieldExtraction,
}

/// <summary>
/// One step of document processing. A stage reads what earlier stages left on the context
/// and adds its own output. Stages must be idempotent: a job may run more than once
/// (at-least-once delivery), and each run starts from a fresh context.
/// </summary>
public interface IPipelineStage
{
    /// <summary>The stage name carried in progress events and used by "reprocess from stage".</summary>
    string Name { get; }

    PipelinePhase Phase { get; }

    /// <summary>
    /// Throws <see cref="UnprocessableDocumentException"/> when the document itself is at fault
    /// (corrupt, unsupported content): retrying cannot help. Any other exception is treated
    /// as transient and retried with backoff.
    /// </summary>
    ValueTask RunAsync(PipelineContext context, CancellationToken cancellationToken);
}

/// <summary>The document is at fault; retrying will not help. The message is shown to users.</summary>
public sealed class UnprocessableDocumentException(string message, Exception? inner = null)
    : Exception(message, inner);
