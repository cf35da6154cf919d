namespace Flo.Actions;

/// <summary>
/// An action's definition (grain key <see cref="ActionLimits.ActionKey"/>): the authority its dispatch partitions copy
/// from. Registering stores it, then pushes it to every partition, so an invoke that follows a register sees it.
/// </summary>
[Alias("flo.action")]
public interface IActionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the definition (or, with <paramref name="keepExisting"/>, only when none is stored) and returns the one in
    /// force. The partition count is fixed at the first registration.
    /// </summary>
    Task<ActionDefinition> Register(ActionDefinition definition, bool keepExisting);

    /// <summary>
    /// The definition, or null when the action was never registered. Interleaves: a dispatch partition activated by a
    /// register's push asks for it while that register holds the action's turn.
    /// </summary>
    [Idempotent]
    [AlwaysInterleave]
    Task<ActionDefinition?> Get();
}

/// <summary>The names of a namespace's registered actions (grain key: the namespace), for listings.</summary>
[Alias("flo.action.catalog")]
public interface IActionCatalogGrain : IGrainWithStringKey
{
    /// <summary>Adds an action's name (no-op when known).</summary>
    Task Add(string action);

    /// <summary>Every registered action's name, in ordinal order.</summary>
    [ReadOnly]
    Task<string[]> List();
}
