namespace Flo;

/// <summary>Options of a <see cref="FloClient"/>. Immutable; use <c>with</c>.</summary>
public sealed record FloClientOptions
{
    /// <summary>Defaults: namespace <c>default</c>, 30 s timeout.</summary>
    public static FloClientOptions Default { get; } = new();

    /// <summary>Namespace used when a call does not name one. Default <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>How long a call waits for its response. Default 30 s.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
