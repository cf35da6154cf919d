namespace Flo.Actions;

/// <summary>Bad input to an action operation: rejected before anything was stored. HTTP 400.</summary>
[GenerateSerializer]
[Alias("flo.action.error.argument")]
public sealed class ActionArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public ActionArgumentException(string message) : base(message) { }
}

/// <summary>The action is not registered in the namespace. HTTP 404 <c>ActionNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.action.error.action-not-found")]
public sealed class ActionNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public ActionNotFoundException(string message) : base(message) { }
}

/// <summary>No such run (never invoked, or removed after its retention). HTTP 404 <c>RunNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.action.error.run-not-found")]
public sealed class RunNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public RunNotFoundException(string message) : base(message) { }
}

/// <summary>
/// An idempotency key seen within the retention window came with a different payload: refused, nothing stored (the
/// first run is <see cref="RunId"/>). HTTP 409 <c>IdempotencyConflict</c>.
/// </summary>
[GenerateSerializer]
[Alias("flo.action.error.idempotency-conflict")]
public sealed class IdempotencyConflictException : FloException
{
    /// <summary>Creates the exception.</summary>
    public IdempotencyConflictException(string message, string runId) : base(message) => RunId = runId;

    /// <summary>The run the key belongs to.</summary>
    [Id(0)] public string RunId { get; }
}

/// <summary>
/// A worker reported on an attempt that is no longer the run's current one (it timed out, was cancelled or handed to
/// another worker): the report is refused and the run is unchanged. HTTP 409 <c>StaleAttempt</c>.
/// </summary>
[GenerateSerializer]
[Alias("flo.action.error.stale-attempt")]
public sealed class StaleAttemptException : FloException
{
    /// <summary>Creates the exception.</summary>
    public StaleAttemptException(string message) : base(message) { }
}

/// <summary>A wait for a run ended before the run finished. HTTP 408 <c>Timeout</c>.</summary>
[GenerateSerializer]
[Alias("flo.action.error.wait-timeout")]
public sealed class RunWaitTimeoutException : FloException
{
    /// <summary>Creates the exception.</summary>
    public RunWaitTimeoutException(string message, RunStatus status) : base(message) => Status = status;

    /// <summary>The run's status when the wait ended.</summary>
    [Id(0)] public RunStatus Status { get; }
}

/// <summary>A run that has not finished was asked for what only a finished run allows (a retry). HTTP 409 <c>RunNotFinished</c>.</summary>
[GenerateSerializer]
[Alias("flo.action.error.run-not-finished")]
public sealed class RunNotFinishedException : FloException
{
    /// <summary>Creates the exception.</summary>
    public RunNotFinishedException(string message, RunStatus status) : base(message) => Status = status;

    /// <summary>The run's status.</summary>
    [Id(0)] public RunStatus Status { get; }
}
