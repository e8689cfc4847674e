using Docket.Core.Documents;
using Docket.Core.Jobs;

namespace Docket.Data;

/// <summary>How states are spelled in the database and on the wire: lower snake case.</summary>
public static class Wire
{
    public static string Name(DocumentStatus status) => status.ToString().ToLowerInvariant();

    public static string Name(JobState state) => state.ToString().ToLowerInvariant();

    public static DocumentStatus ParseDocumentStatus(string text) => Enum.Parse<DocumentStatus>(text, ignoreCase: true);

    public static JobState ParseJobState(string text) => Enum.Parse<JobState>(text, ignoreCase: true);

    public static bool TryParseDocumentStatus(string? text, out DocumentStatus status) =>
        Enum.TryParse(text, ignoreCase: true, out status) && Enum.IsDefined(status) && !int.TryParse(text, out _);
}
