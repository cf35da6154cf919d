namespace Flo;

/// <summary>
/// Bounds on calls that wait inside a grain (blocking gets, long-poll dequeues, blocking stream reads). A grain waits
/// at most <see cref="MaxWaitMs"/> per call, so a deactivation or shutdown is never held up for long and a caller
/// wanting a longer block asks again (wherever the grain lives by then); such calls get a response timeout of
/// <see cref="ResponseTimeout"/> instead of the client's short default, which is what lets a client fail over within
/// seconds on ordinary calls.
/// </summary>
public static class GrainWaits
{
    /// <summary>The longest one call waits inside a grain: 10 s.</summary>
    public const int MaxWaitMs = 10_000;

    /// <summary>The response timeout of a waiting call (<see cref="MaxWaitMs"/> plus margin): 15 s.</summary>
    public const string ResponseTimeout = "00:00:15";
}
