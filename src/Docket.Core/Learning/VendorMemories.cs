using System.Collections.Immutable;

namespace Docket.Core.Learning;

/// <summary>
/// Vendor memory for every owner: the <see cref="ILearner"/> the learning feed replays finalised documents
/// into, which hands each document to a <see cref="VendorMemory"/> of its owner's own.
/// <para>
/// Guarantee: a document is only ever matched against vendors learned from documents of the same owner.
/// One owner's memory is never asked about another owner's document, so neither the names reviewers
/// typed nor where they found values can reach another user's results, and one user's documents cannot
/// make another user's keys ambiguous either.
/// </para>
/// <para>
/// An owner costs nothing until one of their finalised documents teaches something (<see cref="VendorMemory.Teaches"/>):
/// start-up replays every owner's documents, and most owners of a large installation have few or no invoices.
/// The map of owners is immutable and swapped whole when an owner is added, like each owner's state, so
/// pipeline stages read it without locks.
/// </para>
/// </summary>
public sealed class VendorMemories : ILearner
{
    private ImmutableDictionary<Guid, VendorMemory> _owners = ImmutableDictionary<Guid, VendorMemory>.Empty;

    /// <summary>Owners with at least one vendor learned.</summary>
    public int OwnerCount => Volatile.Read(ref _owners).Count;

    public void Learn(FinalisedExample example)
    {
        if (!VendorMemory.Teaches(example)) return;
        var owners = Volatile.Read(ref _owners);
        if (owners.TryGetValue(example.OwnerId, out var memory))
        {
            memory.Learn(example);
            return;
        }

        // Learned before it is published: a reader finds a new owner's memory with its first vendor in it.
        memory = new VendorMemory(example.OwnerId);
        memory.Learn(example);
        Volatile.Write(ref _owners, owners.Add(example.OwnerId, memory));
    }

    /// <summary>The vendor memory of <paramref name="owner"/>; null when none of their finalised documents taught anything yet.</summary>
    public VendorMemory? Of(Guid owner) => Volatile.Read(ref _owners).GetValueOrDefault(owner);
}
