namespace Flo;

/// <summary>
/// Where an Orleans client's access token travels: the <c>RequestContext</c> entry its outgoing call filter sets on every
/// call (<c>FloClientOptions.Token</c>) and the silo's incoming call filter reads, and removes, so it goes no further
/// than the grain the client called.
/// </summary>
public static class FloTokenContext
{
    /// <summary>The <c>RequestContext</c> key.</summary>
    public const string Key = "flo-token";
}
