namespace Flo.Calls;

/// <summary>
/// Carries the caller's <see cref="CancellationToken"/> from a sub-client method (<c>client.Kv.GetAsync(..., ct)</c>) to
/// <see cref="CallRetryFilter"/>, which sees only the grain call. The operations in <c>*Api</c> wait with
/// <c>WaitAsync(ct)</c>, so the caller is released at once when the token fires; this scope makes the filter stop
/// resending too. An async method started inside the scope keeps the token for all its grain calls (the execution
/// context is captured at its first await), so entering and leaving around the synchronous part of the call is enough.
/// </summary>
internal static class CallScope
{
    private static readonly AsyncLocal<CancellationToken> Token = new();

    /// <summary>The token of the sub-client call in progress, or <see cref="CancellationToken.None"/>.</summary>
    public static CancellationToken Current => Token.Value;

    /// <summary>Makes <paramref name="cancellationToken"/> the ambient caller's token until the result is disposed.</summary>
    public static Restore Enter(CancellationToken cancellationToken)
    {
        var previous = Token.Value;
        Token.Value = cancellationToken;
        return new Restore(previous);
    }

    /// <summary>Puts the previous token back.</summary>
    public readonly struct Restore(CancellationToken previous) : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => Token.Value = previous;
    }
}
