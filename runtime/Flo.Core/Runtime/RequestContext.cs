namespace Flo.Runtime;

/// <summary>
/// Flows with the async call path inside a silo: which grain request the current code runs in, so outgoing calls can
/// carry the call chain that makes deadlock timeouts explain themselves.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<string?> CallChainLocal = new();

    /// <summary>The chain of grain calls leading to the current code, e.g. <c>a/1.Ping -> b/2.Echo</c>.</summary>
    public static string? CallChain
    {
        get => CallChainLocal.Value;
        set => CallChainLocal.Value = value;
    }
}
