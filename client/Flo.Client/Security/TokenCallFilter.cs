namespace Flo.Security;

/// <summary>
/// Sends the client's access token (<see cref="FloClientOptions.Token"/>) with every grain call, in the call's
/// <c>RequestContext</c> (<see cref="FloTokenContext.Key"/>), where the silo's call filter checks it.
/// </summary>
internal sealed class TokenCallFilter(string token) : IOutgoingGrainCallFilter
{
    // Not async, so no state machine per call: Orleans' call invoker that runs this is an async method, so the entry
    // set here goes with this call and leaves the caller's own context as it was once the invoker returns.
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        RequestContext.Set(FloTokenContext.Key, token);
        return context.Invoke();
    }
}
