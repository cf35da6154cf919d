namespace Flo.Management;

/// <summary>What a namespace catalog lists. Values are stored: frozen.</summary>
public enum CatalogKind
{
    /// <summary>A queue (by name).</summary>
    Queue = 0,

    /// <summary>A stream (by name).</summary>
    Stream = 1,
}
