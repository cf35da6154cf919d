namespace Flo.Runtime.Storage;

/// <summary>The primary key of a stored grain state: grain type, grain key, state name.</summary>
internal readonly record struct GrainStateKey(string GrainType, string GrainKey, string StateName)
{
    /// <summary>Orders keys the same way on every silo, so concurrent batches lock rows in one order and cannot deadlock.</summary>
    public static IComparer<GrainStateKey> Ordinal { get; } = Comparer<GrainStateKey>.Create(static (a, b) =>
    {
        var c = string.CompareOrdinal(a.GrainType, b.GrainType);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.GrainKey, b.GrainKey);
        }
        return c != 0 ? c : string.CompareOrdinal(a.StateName, b.StateName);
    });

    /// <summary>Validates the arguments every provider receives, so all providers reject the same input.</summary>
    public static GrainStateKey From(GrainId grainId, string stateName)
    {
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is empty.", nameof(grainId));
        }
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        // PostgreSQL text cannot hold NUL; rejecting it everywhere keeps one bad key from failing a whole write batch.
        if (grainId.Type.Contains('\0') || grainId.Key.Contains('\0') || stateName.Contains('\0'))
        {
            throw new ArgumentException($"Grain {grainId} state '{stateName}': grain types, keys and state names cannot contain NUL characters.");
        }
        return new GrainStateKey(grainId.Type, grainId.Key, stateName);
    }

    /// <inheritdoc/>
    public override string ToString() => $"state '{StateName}' of grain {GrainType}/{GrainKey}";
}
