namespace Flo.Storage.Stores;

/// <summary>Checks every store applies to record changes, so all stores refuse the same input.</summary>
internal static class GrainRecordChanges
{
    /// <summary>
    /// Ids must be distinct: a statement that inserts and deletes one row is ambiguous in SQL (PostgreSQL refuses to
    /// touch a row twice in one command), so callers collapse changes first.
    /// </summary>
    public static void Validate(StateKey key, IReadOnlyList<GrainRecordChange> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count < 2)
        {
            return;
        }
        var seen = new HashSet<long>(records.Count);
        foreach (var change in records)
        {
            if (!seen.Add(change.Id))
            {
                throw new ArgumentException($"{key}: record {change.Id} is changed twice in one write; collapse the changes first.", nameof(records));
            }
        }
    }
}
