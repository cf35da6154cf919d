namespace Flo;

/// <summary>
/// The target silo or gateway could not be reached, could not serve the request, or the connection was lost before
/// the response arrived. <see cref="MayHaveExecuted"/> says whether a grain may have run the request: when false,
/// sending it again is always safe; when true, only the caller knows whether running it twice is harmless.
/// </summary>
/// <remarks>
/// A client resends calls itself where that is safe (see <c>ClusterClientOptions.MaxRetries</c>), so a caller sees
/// this exception only once those retries are spent or were not allowed.
/// </remarks>
public sealed class SiloUnavailableException : FloException
{
    /// <summary>
    /// Creates the exception with <see cref="MayHaveExecuted"/> true: the safe answer when the thrower does not know
    /// whether the request reached a grain.
    /// </summary>
    public SiloUnavailableException(string message, Exception? inner = null)
        : this(message, mayHaveExecuted: true, inner)
    {
    }

    /// <summary>Creates the exception, saying whether a grain may have run the request.</summary>
    public SiloUnavailableException(string message, bool mayHaveExecuted, Exception? inner = null)
        : base(message, inner)
    {
        MayHaveExecuted = mayHaveExecuted;
    }

    /// <summary>
    /// True when the request may have reached a grain and run (e.g. the connection was lost while the call was
    /// pending); false when it certainly did not (it was never sent, or the silo answered that it did not start it).
    /// </summary>
    public bool MayHaveExecuted { get; }
}
