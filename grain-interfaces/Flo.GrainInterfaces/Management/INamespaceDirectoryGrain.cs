namespace Flo.Management;

/// <summary>
/// Every namespace in use, for the dashboard's namespace picker (one grain, key <see cref="Key"/>). A namespace is added
/// when its first action, schedule, queue or stream is: catalogs add it once, on their first write.
/// </summary>
[Alias("flo.management.namespace-directory")]
public interface INamespaceDirectoryGrain : IGrainWithStringKey
{
    /// <summary>The one directory's key.</summary>
    public const string Key = "all";

    /// <summary>Adds a namespace (no-op when known).</summary>
    Task Add(string ns);

    /// <summary>Every namespace, in ordinal order.</summary>
    [ReadOnly]
    Task<string[]> List();
}
