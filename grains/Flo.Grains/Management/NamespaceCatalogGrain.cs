using Flo.Management;

namespace Flo.Grains.Management;

/// <summary>
/// The names of a namespace's queues and streams. Written once per partition of each (on its first write), read by
/// the management API; the first name it stores also enters the namespace in the <see cref="INamespaceDirectoryGrain"/>.
/// </summary>
[GrainType("namespace-catalog")]
public sealed class NamespaceCatalogGrain([PersistentState("catalog", FloStorage.Name)] IPersistentState<NamespaceCatalogState> state) : Grain, INamespaceCatalogGrain
{
    private const int MaxListLimit = 1000;

    /// <inheritdoc/>
    public async Task Add(CatalogKind kind, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var names = Names(kind);
        if (names.Contains(name))
        {
            return;
        }
        if (!state.State.InDirectory)
        {
            await GrainFactory.GetGrain<INamespaceDirectoryGrain>(INamespaceDirectoryGrain.Key).Add(this.GetPrimaryKeyString());
            state.State.InDirectory = true;
        }
        names.Add(name);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored: the caller retries on its next write, and must not find the name known meanwhile.
            names.Remove(name);
            throw;
        }
    }

    /// <inheritdoc/>
    public Task<string[]> List(CatalogKind kind, string? after, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxListLimit);
        var names = Names(kind);
        IEnumerable<string> from = after is null ? names : names.Where(n => string.CompareOrdinal(n, after) > 0);
        return Task.FromResult(from.Take(limit).ToArray());
    }

    /// <inheritdoc/>
    public Task<(int Queues, int Streams)> Counts() => Task.FromResult((state.State.Queues.Count, state.State.Streams.Count));

    private SortedSet<string> Names(CatalogKind kind) => kind switch
    {
        CatalogKind.Queue => state.State.Queues,
        CatalogKind.Stream => state.State.Streams,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown catalog kind."),
    };
}

/// <summary>The catalog's stored state.</summary>
[GenerateSerializer]
[Alias("flo.management.namespace-catalog-state")]
public sealed class NamespaceCatalogState
{
    /// <summary>Queue names in ordinal order.</summary>
    [Id(0)] public SortedSet<string> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Stream names in ordinal order.</summary>
    [Id(1)] public SortedSet<string> Streams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the namespace was entered in the directory.</summary>
    [Id(2)] public bool InDirectory { get; set; }
}
