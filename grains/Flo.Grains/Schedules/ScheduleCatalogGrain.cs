using Flo.Schedules;

using Flo.Management;

namespace Flo.Grains.Schedules;

/// <summary>
/// The ids of a namespace's schedules, for listings: sorted in memory, stored as one record per id beside a small state.
/// </summary>
/// <remarks>
/// A create or delete stores only its own id's record, so its cost does not grow with the namespace (the whole id set
/// in one state was rewritten by every create: 340 KB at 10,000 schedules). Reentrant with group commit, as the KV
/// index: ids added while a write is in flight are stored together by the next one. Every change is applied between
/// awaits (one turn at a time), so the in-memory set is always consistent.
/// </remarks>
[Reentrant]
[GrainType("schedule-catalog")]
public sealed class ScheduleCatalogGrain([StateWithRecords("catalog", FloStorage.Name)] IStateWithRecords<ScheduleCatalogState> state) : Grain, IScheduleCatalogGrain
{
    private const int LoadPageSize = 4096;

    private readonly Dictionary<string, long> records = new(StringComparer.Ordinal);
    private readonly SortedSet<string> sorted = new(StringComparer.Ordinal);
    private GuardedCommit? commits;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A failed write drops the records it carried: this activation's memory is then ahead of storage.
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"Schedule catalog {this.GetPrimaryKeyString()}", _ => DeactivateOnIdle());
        var after = 0L;
        while (true)
        {
            var page = await state.ReadRecordsAsync<ScheduleCatalogEntry>(after, LoadPageSize, cancellationToken);
            foreach (var (recordId, entry) in page)
            {
                records[entry.Id] = recordId;
                sorted.Add(entry.Id);
                after = recordId;
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
        }
        if (state.State.Ids.Count > 0)
        {
            // Written before ids were records: move them, once.
            foreach (var id in state.State.Ids)
            {
                Set(id);
            }
            state.State.Ids = new(StringComparer.Ordinal);
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public async Task Add(string id)
    {
        commits!.EnsureUsable();
        if (records.ContainsKey(id))
        {
            return;
        }
        if (!state.State.InDirectory)
        {
            // The namespace's first schedule: the dashboard's namespace picker lists it from now on (idempotent, so
            // two first adds racing both asking is harmless).
            await GrainFactory.GetGrain<INamespaceDirectoryGrain>(INamespaceDirectoryGrain.Key).Add(this.GetPrimaryKeyString());
            state.State.InDirectory = true;
        }
        // (Set ignores an id another call added while this one awaited the directory.)
        Set(id);
        await commits.CommitAsync();
    }

    /// <inheritdoc/>
    public async Task Remove(string id)
    {
        commits!.EnsureUsable();
        if (!records.Remove(id, out var recordId))
        {
            return;
        }
        sorted.Remove(id);
        state.StageRecordDeletion(recordId);
        await commits.CommitAsync();
    }

    /// <inheritdoc/>
    public Task<string[]> List() => Task.FromResult(sorted.ToArray());

    /// <summary>Adds an id in memory and stages its record under the next record id.</summary>
    private void Set(string id)
    {
        if (records.ContainsKey(id))
        {
            return;
        }
        var recordId = state.State.NextId++;
        records[id] = recordId;
        sorted.Add(id);
        state.StageRecord(recordId, new ScheduleCatalogEntry { Id = id });
    }
}
