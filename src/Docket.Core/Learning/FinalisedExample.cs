using Docket.Core.Pipeline;

namespace Docket.Core.Learning;

/// <summary>
/// What people decided about one document: the machine's output next to the finalised values.
/// Learners (the category classifier, vendor memory) are projections of the finalised documents,
/// so they are rebuilt from the database at start-up and never disagree with it.
/// </summary>
/// <param name="Text">The extracted text of the finalised result (possibly truncated for very long documents).</param>
/// <param name="MachineCategory">What the pipeline said; <paramref name="FinalCategory"/> differs when a reviewer corrected it.</param>
/// <param name="MachineFields">The pipeline's fields, with their sources in <paramref name="Text"/>.</param>
/// <param name="FinalFields">The values that were finalised: the machine's, overridden by the reviewer's edits (null = cleared).</param>
public sealed record FinalisedExample(
    Guid DocumentId,
    Guid OwnerId,
    string FileName,
    string Text,
    string MachineCategory,
    string FinalCategory,
    IReadOnlyDictionary<string, ExtractedField> MachineFields,
    IReadOnlyDictionary<string, string?> FinalFields,
    DateTimeOffset FinalizedAt)
{
    /// <summary>The fields a reviewer changed: name to (machine value, final value).</summary>
    public IEnumerable<(string Field, string? Machine, string? Final)> Corrections() =>
        FinalFields
            .Select(pair => (Field: pair.Key, Machine: MachineFields.GetValueOrDefault(pair.Key)?.Value, Final: pair.Value))
            .Where(change => !string.Equals(change.Machine, change.Final, StringComparison.Ordinal));
}

/// <summary>
/// Something that gets better from finalised documents. Called once per finalised document per
/// process, in finalisation order, from one thread at a time; readers (pipeline stages on worker
/// threads) may run concurrently, so implementations publish their state safely.
/// </summary>
public interface ILearner
{
    void Learn(FinalisedExample example);
}
