namespace Flo.Runtime.Reminders;

/// <summary>
/// The reminder table in the storage database (schema script 003), or in memory for tests. Rows are keyed by
/// (service id, grain, name); every update of a due time is conditional on the row's ETag, so two silos that both
/// think they own a reminder (during a membership change) cannot both advance it.
/// </summary>
public interface IReminderTable
{
    /// <summary>Inserts or replaces a reminder (a new ETag).</summary>
    Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes a reminder; false when it did not exist.</summary>
    Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken);

    /// <summary>A grain's reminders.</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadGrainAsync(GrainId grainId, CancellationToken cancellationToken);

    /// <summary>Every reminder due at or before <paramref name="dueBeforeMs"/> (each silo keeps those it owns).</summary>
    Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long dueBeforeMs, CancellationToken cancellationToken);

    /// <summary>Moves a reminder's next due time if its ETag still matches; false otherwise.</summary>
    Task<bool> UpdateNextDueAsync(ReminderEntry entry, long nextDueMs, CancellationToken cancellationToken);
}
