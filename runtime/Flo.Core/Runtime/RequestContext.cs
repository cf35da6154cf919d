namespace Flo.Runtime;

/// <summary>
/// Flows with the async call path inside a silo: which grain request the current code runs in, so outgoing calls can
/// carry the call chain that makes deadlock timeouts explain themselves.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<Link?> Current = new();

    /// <summary>The chain of grain calls leading to the current code, e.g. <c>a/1.Ping -> b/2.Echo</c>.</summary>
    public static string? CallChain
    {
        get => Current.Value?.ToString();
        set => Current.Value = value is null ? null : new Link(value, null, null);
    }

    /// <summary>
    /// Enters a request of <paramref name="grain"/>.<paramref name="method"/> called along <paramref name="callerChain"/>.
    /// The chain text is built only when it is read (an outgoing call, a timeout): most requests never need it.
    /// </summary>
    public static void Enter(string? callerChain, GrainId grain, string method) => Current.Value = new Link(callerChain, grain, method);

    /// <summary>Leaves the request: code after it runs outside any call chain.</summary>
    public static void Exit() => Current.Value = null;

    private sealed class Link(string? caller, GrainId? grain, string? method)
    {
        private string? text;

        public override string ToString() => text ??= grain is null
            ? caller ?? ""
            : string.IsNullOrEmpty(caller) ? $"{grain}.{method}" : $"{caller} -> {grain}.{method}";
    }
}
