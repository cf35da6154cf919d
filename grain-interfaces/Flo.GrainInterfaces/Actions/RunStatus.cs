namespace Flo.Actions;

/// <summary>Where a run is in its life. Values are stored: frozen.</summary>
public enum RunStatus
{
    /// <summary>Waiting for a worker (or for its delay to end).</summary>
    Pending = 0,
    /// <summary>An attempt is running on a worker.</summary>
    Running = 1,
    /// <summary>An attempt failed or timed out; the next one waits for its retry delay (holding no worker).</summary>
    Retrying = 2,
    /// <summary>Done with a result.</summary>
    Completed = 3,
    /// <summary>Every attempt failed (the last with an error); see the attempts.</summary>
    Failed = 4,
    /// <summary>Cancelled before it finished; no further attempt.</summary>
    Cancelled = 5,
    /// <summary>The last attempt timed out (or its worker stopped heartbeating) with no retry left.</summary>
    TimedOut = 6,
}

/// <summary>How one attempt ended. Values are stored: frozen.</summary>
public enum AttemptOutcome
{
    /// <summary>Still running.</summary>
    Running = 0,
    /// <summary>Returned a result.</summary>
    Completed = 1,
    /// <summary>The handler failed (its error is kept).</summary>
    Failed = 2,
    /// <summary>Ran past the action's timeout, or its worker stopped heartbeating.</summary>
    TimedOut = 3,
    /// <summary>The run was cancelled while this attempt ran.</summary>
    Cancelled = 4,
    /// <summary>Handed back by a worker that stopped gracefully; does not count as a retry.</summary>
    Released = 5,
}

/// <summary>Run status helpers.</summary>
public static class RunStatusExtensions
{
    /// <summary>Whether no further attempt will run (completed, failed, cancelled, timed out).</summary>
    public static bool IsFinished(this RunStatus status) => status >= RunStatus.Completed;
}
