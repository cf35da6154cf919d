namespace Flo.Management;

/// <summary>
/// The queues and streams of one namespace (key: the namespace), for management listings. A queue or stream partition
/// adds its name once, on its first write; names are never removed (queues and streams have no delete).
/// </summary>
[Alias("flo.management.namespace-catalog")]
public interface INamespaceCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds a name (no-op when known).</summary>
    Task Add(CatalogKind kind, string name);

    /// <summary>Up to <paramref name="limit"/> names of a kind after <paramref name="after"/> (null: from the first), in ordinal order.</summary>
    [ReadOnly]
    Task<string[]> List(CatalogKind kind, string? after, int limit);

    /// <summary>How many names of each kind: (queues, streams).</summary>
    [ReadOnly]
    Task<(int Queues, int Streams)> Counts();
}
