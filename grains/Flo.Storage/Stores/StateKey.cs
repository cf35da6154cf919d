using System.Text;

namespace Flo.Storage.Stores;

/// <summary>
/// The primary key of a stored grain state: the grain id's text (<see cref="GrainId.ToString"/>, <c>type/key</c>) and the
/// state name.
/// </summary>
internal readonly record struct StateKey(string GrainId, string StateName)
{
    /// <summary>
    /// The longest grain id stored, in UTF-8 bytes. The key is a B-tree primary key in PostgreSQL, whose index entries
    /// hold at most ~2.7 kB; this bound (with <see cref="MaxStateNameBytes"/>) keeps every key under it, and is enforced
    /// for every provider so that all refuse the same input up front rather than one key failing a whole write batch.
    /// </summary>
    public const int MaxGrainIdBytes = 2048;

    /// <summary>The longest state name, in UTF-8 bytes.</summary>
    public const int MaxStateNameBytes = 256;

    /// <summary>Orders keys the same way on every silo, so concurrent batches lock rows in one order and cannot deadlock.</summary>
    public static IComparer<StateKey> Ordinal { get; } = Comparer<StateKey>.Create(static (a, b) =>
    {
        var c = string.CompareOrdinal(a.GrainId, b.GrainId);
        return c != 0 ? c : string.CompareOrdinal(a.StateName, b.StateName);
    });

    /// <summary>Validates the arguments every provider receives, so all providers reject the same input.</summary>
    public static StateKey From(GrainId grainId, string stateName)
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is empty.", nameof(grainId));
        }
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        var id = grainId.ToString();
        // PostgreSQL text cannot hold NUL; rejecting it everywhere keeps one bad key from failing a whole write batch.
        if (id.Contains('\0') || stateName.Contains('\0'))
        {
            throw new ArgumentException($"Grain {id} state '{stateName}': grain ids and state names cannot contain NUL characters.");
        }
        if (Encoding.UTF8.GetByteCount(id) > MaxGrainIdBytes)
        {
            throw new ArgumentException($"Grain id {id[..64]}... is {Encoding.UTF8.GetByteCount(id)} bytes; grain storage keeps ids of up to {MaxGrainIdBytes} UTF-8 bytes.", nameof(grainId));
        }
        if (Encoding.UTF8.GetByteCount(stateName) > MaxStateNameBytes)
        {
            throw new ArgumentException($"State name '{stateName[..32]}...' is longer than {MaxStateNameBytes} UTF-8 bytes.", nameof(stateName));
        }
        return new StateKey(id, stateName);
    }

    /// <inheritdoc/>
    public override string ToString() => $"state '{StateName}' of grain {GrainId}";
}
