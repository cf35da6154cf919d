namespace Flo.Runtime.Reminders;

/// <summary>A reminder table in memory, shared by the in-process silos of a test cluster on the memory provider.</summary>
public sealed class InMemoryReminderTable : IReminderTable
{
    private readonly Dictionary<(GrainId, string), ReminderEntry> rows = [];
    private long etags;

    /// <inheritdoc/>
    public Task UpsertAsync(ReminderEntry entry, CancellationToken cancellationToken)
    {
        lock (rows)
        {
            rows[(entry.GrainId, entry.Name)] = entry with { Etag = ++etags };
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> RemoveAsync(GrainId grainId, string name, CancellationToken cancellationToken)
    {
        lock (rows)
        {
            return Task.FromResult(rows.Remove((grainId, name)));
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReminderEntry>> ReadGrainAsync(GrainId grainId, CancellationToken cancellationToken)
    {
        lock (rows)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(rows.Values.Where(r => r.GrainId == grainId).OrderBy(r => r.Name, StringComparer.Ordinal).ToList());
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReminderEntry>> ReadDueAsync(long dueBeforeMs, CancellationToken cancellationToken)
    {
        lock (rows)
        {
            return Task.FromResult<IReadOnlyList<ReminderEntry>>(rows.Values.Where(r => r.NextDueMs <= dueBeforeMs).ToList());
        }
    }

    /// <inheritdoc/>
    public Task<bool> UpdateNextDueAsync(ReminderEntry entry, long nextDueMs, CancellationToken cancellationToken)
    {
        lock (rows)
        {
            if (!rows.TryGetValue((entry.GrainId, entry.Name), out var current) || current.Etag != entry.Etag)
            {
                return Task.FromResult(false);
            }
            rows[(entry.GrainId, entry.Name)] = current with { NextDueMs = nextDueMs, Etag = ++etags };
            return Task.FromResult(true);
        }
    }
}
