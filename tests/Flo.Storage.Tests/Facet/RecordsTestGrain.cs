namespace Flo.Storage.Tests.Facet;

public interface IRecordsTestGrain : IGrainWithStringKey
{
    /// <summary>Stages <paramref name="count"/> records after the last one, then writes them with the state.</summary>
    Task Append(int count, string prefix);

    /// <summary>Stages deletions, then writes.</summary>
    Task Delete(long[] ids);

    Task<List<string>> ReadAll(int pageSize);

    Task<(long Next, string? Etag, bool Exists)> GetState();

    Task<Guid> GetActivationId();

    Task Deactivate();

    Task Clear();
}

[GenerateSerializer, Alias("flo.tests.CounterState")]
public sealed class CounterState
{
    [Id(0)] public long Next { get; set; }
}

[GenerateSerializer, Alias("flo.tests.Entry")]
public sealed class Entry
{
    [Id(0)] public string Text { get; set; } = "";
}

public sealed class RecordsTestGrain([StateWithRecords("s")] IStateWithRecords<CounterState> state) : Grain, IRecordsTestGrain
{
    private readonly Guid activationId = Guid.NewGuid();

    public async Task Append(int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            var entry = new Entry { Text = "draft" };
            state.StageRecord(state.State.Next, entry);
            entry.Text = $"{prefix}{state.State.Next}"; // serialized when the write is made
            state.State.Next++;
        }
        Assert.Equal(count, state.StagedRecordCount);
        await state.WriteStateAsync();
        Assert.Equal(0, state.StagedRecordCount);
    }

    public async Task Delete(long[] ids)
    {
        foreach (var id in ids)
        {
            state.StageRecordDeletion(id);
        }
        await state.WriteStateAsync();
    }

    public async Task<List<string>> ReadAll(int pageSize)
    {
        var all = new List<string>();
        var after = long.MinValue;
        while (true)
        {
            var page = await state.ReadRecordsAsync<Entry>(after, pageSize);
            all.AddRange(page.Select(p => $"{p.Key}={p.Value.Text}"));
            if (page.Count < pageSize)
            {
                return all;
            }
            after = page[^1].Key;
        }
    }

    public Task<(long Next, string? Etag, bool Exists)> GetState() => Task.FromResult((state.State.Next, state.Etag, state.RecordExists));

    public Task<Guid> GetActivationId() => Task.FromResult(activationId);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task Clear() => state.ClearStateAsync();
}

public interface IMisconfiguredGrain : IGrainWithStringKey
{
    Task Ping();
}

/// <summary>Asks for records from a storage that does not keep them.</summary>
public sealed class MisconfiguredGrain([StateWithRecords("s", "plain")] IStateWithRecords<CounterState> state) : Grain, IMisconfiguredGrain
{
    public Task Ping() => Task.FromResult(state.State.Next);
}
