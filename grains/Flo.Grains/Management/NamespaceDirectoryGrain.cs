using Flo.Management;

namespace Flo.Grains.Management;

/// <summary>Every namespace in use. Each catalog adds its namespace once, so this grain is written once per namespace.</summary>
[GrainType("namespace-directory")]
public sealed class NamespaceDirectoryGrain([PersistentState("directory", FloStorage.Name)] IPersistentState<NamespaceDirectoryState> state) : Grain, INamespaceDirectoryGrain
{
    /// <inheritdoc/>
    public async Task Add(string ns)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        if (state.State.Namespaces.Add(ns))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public Task<string[]> List() => Task.FromResult(state.State.Namespaces.ToArray());
}

/// <summary>The directory's stored state.</summary>
[GenerateSerializer]
[Alias("flo.management.namespace-directory-state")]
public sealed class NamespaceDirectoryState
{
    /// <summary>Namespaces in ordinal order.</summary>
    [Id(0)] public SortedSet<string> Namespaces { get; set; } = new(StringComparer.Ordinal);
}
