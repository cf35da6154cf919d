using Flo.Actions;
using Flo.Management;

namespace Flo.Grains.Actions;

/// <summary>The names of a namespace's registered actions, for listings (stats, run lists, the dashboard).</summary>
[GrainType("action-catalog")]
public sealed class ActionCatalogGrain([PersistentState("catalog", FloStorage.Name)] IPersistentState<ActionCatalogState> state) : Grain, IActionCatalogGrain
{
    /// <inheritdoc/>
    public async Task Add(string action)
    {
        ActionLimits.ValidateName(action);
        if (state.State.Actions.Contains(action))
        {
            return;
        }
        if (!state.State.InDirectory)
        {
            // The namespace's first action: the dashboard's namespace picker lists it from now on.
            await GrainFactory.GetGrain<INamespaceDirectoryGrain>(INamespaceDirectoryGrain.Key).Add(this.GetPrimaryKeyString());
            state.State.InDirectory = true;
        }
        state.State.Actions.Add(action);
        await state.WriteStateAsync();
    }

    /// <inheritdoc/>
    public Task<string[]> List() => Task.FromResult(state.State.Actions.ToArray());
}

/// <summary>The catalog's stored state.</summary>
[GenerateSerializer]
[Alias("flo.action.catalog-state")]
public sealed class ActionCatalogState
{
    /// <summary>Action names in ordinal order.</summary>
    [Id(0)] public SortedSet<string> Actions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the namespace was entered in the directory.</summary>
    [Id(1)] public bool InDirectory { get; set; }
}
