namespace Flo.Hosting;

/// <summary>What a token may do on its namespaces.</summary>
public enum FloAccess
{
    /// <summary>Read only: gets, scans, peeks, stream reads, run status, listings, event streams.</summary>
    Read,

    /// <summary>Read and write.</summary>
    ReadWrite,
}
