namespace Flo.Runtime.Catalog;

/// <summary>Lifecycle of one activation.</summary>
internal enum ActivationState
{
    /// <summary>Created; constructing the grain, reading state and running OnActivateAsync. Requests queue.</summary>
    Activating,
    /// <summary>Serving requests.</summary>
    Valid,
    /// <summary>Running OnDeactivateAsync. New requests wait for the next activation.</summary>
    Deactivating,
    /// <summary>Gone from the catalog.</summary>
    Invalid,
}
