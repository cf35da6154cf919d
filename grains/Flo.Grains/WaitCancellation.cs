using Microsoft.Extensions.Hosting;

namespace Flo.Grains;

/// <summary>
/// When a wait inside a grain (a blocking get, a long-poll dequeue, a blocking stream read) ends early: the caller gave
/// up (Orleans cancels the call's token) or the silo began to stop. Orleans lets running requests finish before it
/// deactivates a grain, so without the second a shutdown would wait out every blocked caller; with it they get the
/// current answer at once and ask again wherever the grain lives next.
/// </summary>
internal static class WaitCancellation
{
    /// <summary>A token cancelled by either; dispose it when the wait ends.</summary>
    public static CancellationTokenSource Link(CancellationToken caller, IHostApplicationLifetime lifetime)
        => CancellationTokenSource.CreateLinkedTokenSource(caller, lifetime.ApplicationStopping);
}
