using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// An action's definition, the authority its dispatch partitions copy: a register stores it, then pushes it to every
/// partition and names the action in the namespace's catalog before it returns, so the next invoke runs with it.
/// </summary>
[GrainType("action")]
public sealed class ActionGrain([PersistentState("action", FloStorage.Name)] IPersistentState<ActionGrainState> state, TimeProvider time) : Grain, IActionGrain
{
    /// <inheritdoc/>
    public async Task<ActionDefinition> Register(ActionDefinition definition, bool keepExisting)
    {
        ActionLimits.ValidateDefinition(definition);
        var (ns, name) = ActionLimits.SplitKey(this.GetPrimaryKeyString());
        if (definition.Name != name)
        {
            throw new ActionArgumentException($"Definition of '{definition.Name}' sent to action '{name}'.");
        }
        var existing = state.State.Definition;
        if (existing is not null && keepExisting)
        {
            return existing;
        }
        if (existing is not null && existing.Partitions != definition.Partitions)
        {
            throw new ActionArgumentException($"Action '{name}' has {existing.Partitions} dispatch partition(s), fixed at its first registration; got {definition.Partitions}.");
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = definition with { RegisteredAtMs = existing?.RegisteredAtMs ?? now, UpdatedAtMs = now };
        if (existing is null || existing with { UpdatedAtMs = 0 } != stored with { UpdatedAtMs = 0 })
        {
            state.State.Definition = stored;
            await state.WriteStateAsync();
        }
        else
        {
            stored = existing;
        }
        // Partitions and the catalog follow the definition before the caller hears "registered"; a failure here leaves
        // the definition stored and the call failed, and a repeated register pushes again.
        await Task.WhenAll(Enumerable.Range(0, stored.Partitions).Select(p =>
            GrainFactory.GetGrain<IActionDispatchGrain>(ActionLimits.DispatchKey(ns, name, p)).Configure(stored)));
        await GrainFactory.GetGrain<IActionCatalogGrain>(ns).Add(name);
        return stored;
    }

    /// <inheritdoc/>
    public Task<ActionDefinition?> Get() => Task.FromResult(state.State.Definition);
}

/// <summary>An action grain's stored state.</summary>
[GenerateSerializer]
[Alias("flo.action.state")]
public sealed class ActionGrainState
{
    /// <summary>The definition; null until registered.</summary>
    [Id(0)] public ActionDefinition? Definition { get; set; }
}
