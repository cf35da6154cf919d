namespace Flo;

/// <summary>A state write found a different ETag in storage than the one it expected: another writer got there first.</summary>
public sealed class InconsistentStateException : FloException
{
    /// <summary>Creates the exception.</summary>
    public InconsistentStateException(string message, string? storedEtag = null, string? currentEtag = null)
        : base(message)
    {
        StoredEtag = storedEtag;
        CurrentEtag = currentEtag;
    }

    /// <summary>The ETag found in storage, when known.</summary>
    public string? StoredEtag { get; }

    /// <summary>The ETag the writer expected.</summary>
    public string? CurrentEtag { get; }
}
