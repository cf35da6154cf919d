using Flo.Actions;
using Flo.Kv;
using Flo.Queues;
using Flo.Schedules;
using Flo.Streams;

namespace Flo.Cli;

/// <summary>
/// The exit codes of <c>flo</c>, and the one place that turns a failure into one. Scripts branch on these, so they are
/// part of the tool's contract (docs/cli.md): never renumber them.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line could not be parsed (unknown command or option, missing or malformed argument).</summary>
    public const int Usage = 1;

    /// <summary>What the command names does not exist: a key, a run, an action, a schedule, a message, a group.</summary>
    public const int NotFound = 2;

    /// <summary>
    /// The cluster refused because of the current state: a version (CAS) or existence condition failed, an
    /// idempotency key was reused with another payload, a run has not finished (retry) or already finished (cancel).
    /// </summary>
    public const int Conflict = 3;

    /// <summary>The platform rejected an argument (a name too long, a bad cron expression, a limit out of range...).</summary>
    public const int InvalidArgument = 4;

    /// <summary>
    /// The cluster could not be reached or did not answer: no gateway accepted the connection in time, a call was not
    /// accepted before its deadline, or a call failed in a way that leaves its outcome unknown (the message says so).
    /// </summary>
    public const int Unavailable = 5;

    /// <summary>
    /// <c>action invoke --wait</c>: the run did not complete (it failed, timed out or was cancelled), or the wait ended
    /// before it finished. The run is printed all the same.
    /// </summary>
    public const int RunNotCompleted = 6;

    /// <summary>Anything else: a bug in the tool or the platform. The message names the exception.</summary>
    public const int Unexpected = 10;

    /// <summary>Interrupted (Ctrl+C) before a command that does not follow a key or stream finished: 128 + SIGINT, as shells do.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code and one-line message for a failure of a command.</summary>
    public static (int Code, string Message) For(Exception exception) => exception switch
    {
        CliException e => (e.ExitCode, e.Message),
        KeyExistsException or VersionConflictException or IdempotencyConflictException or RunNotFinishedException or StaleAttemptException
            or LeaseExpiredException => (Conflict, exception.Message),
        RunNotFoundException or ActionNotFoundException or ScheduleNotFoundException or MessageNotFoundException
            or GroupNotFoundException => (NotFound, exception.Message),
        RunWaitTimeoutException => (RunNotCompleted, exception.Message),
        // Every area's argument exception derives from it; the client validates before sending with the same types.
        InvalidArgumentException => (InvalidArgument, exception.Message),
        ClusterUnavailableException => (Unavailable, exception.Message),
        CallOutcomeUnknownException e => (Unavailable, $"outcome unknown, read the state back before repeating: {e.Message}"),
        // Orleans' own transport failures that reach the tool unwrapped (a connection lost between calls).
        SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException
            => (Unavailable, exception.Message),
        _ => (Unexpected, $"{exception.GetType().Name}: {exception.Message}"),
    };
}

/// <summary>A failure the tool itself detected, with the exit code it ends the command with.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    /// <summary>One of <see cref="ExitCodes"/>.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>What the command names does not exist.</summary>
    public static CliException NotFound(string message) => new(ExitCodes.NotFound, message);

    /// <summary>The command's condition does not hold in the current state.</summary>
    public static CliException Conflict(string message) => new(ExitCodes.Conflict, message);

    /// <summary>The cluster could not be reached.</summary>
    public static CliException Unavailable(string message) => new(ExitCodes.Unavailable, message);

    /// <summary>The command line is well formed but does not make sense (an unreadable <c>@file</c>, a bad gateway).</summary>
    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
