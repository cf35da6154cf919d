using Flo.Actions;

namespace Flo.Tasks;

/// <summary>A task's status (the executor's <c>TaskStatus</c>, plus cancelled and timed out).</summary>
public enum FloTaskStatus
{
    /// <summary>Waiting for a worker.</summary>
    Pending,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Finished with a result.</summary>
    Success,
    /// <summary>Failed after its retries.</summary>
    Failed,
    /// <summary>Waiting for its next attempt.</summary>
    Retrying,
    /// <summary>Cancelled.</summary>
    Cancelled,
    /// <summary>Its last attempt timed out.</summary>
    TimedOut,
}

/// <summary>A task's state and result (the executor's <c>TaskResult</c>).</summary>
/// <typeparam name="TResult">The task's result type.</typeparam>
public sealed record TaskResult<TResult>
{
    /// <summary>The task's id (its run id).</summary>
    public required string TaskId { get; init; }

    /// <summary>The task's name.</summary>
    public required string TaskName { get; init; }

    /// <summary>Its status.</summary>
    public required FloTaskStatus Status { get; init; }

    /// <summary>The result (status <see cref="FloTaskStatus.Success"/>).</summary>
    public TResult? Result { get; init; }

    /// <summary>The last error.</summary>
    public string? Error { get; init; }

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset SubmittedAt { get; init; }

    /// <summary>When its first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Attempts after the first (the executor's <c>retries</c>).</summary>
    public int Retries { get; init; }

    /// <summary>Whether it finished (success, failed, cancelled, timed out).</summary>
    public bool IsComplete => Status is FloTaskStatus.Success or FloTaskStatus.Failed or FloTaskStatus.Cancelled or FloTaskStatus.TimedOut;

    /// <summary>Whether it finished with a result.</summary>
    public bool IsSuccess => Status == FloTaskStatus.Success;

    internal static TaskResult<TResult> From(ActionRun run) => new()
    {
        TaskId = run.RunId,
        TaskName = run.Action,
        Status = run.Status switch
        {
            RunStatus.Pending => FloTaskStatus.Pending,
            RunStatus.Running => FloTaskStatus.Running,
            RunStatus.Retrying => FloTaskStatus.Retrying,
            RunStatus.Completed => FloTaskStatus.Success,
            RunStatus.Failed => FloTaskStatus.Failed,
            RunStatus.Cancelled => FloTaskStatus.Cancelled,
            _ => FloTaskStatus.TimedOut,
        },
        Result = run.Status == RunStatus.Completed && run.Result is { Length: > 0 } bytes
            ? System.Text.Json.JsonSerializer.Deserialize<TResult>(bytes, ActionJson.Options)
            : default,
        Error = run.Error,
        SubmittedAt = DateTimeOffset.FromUnixTimeMilliseconds(run.SubmittedAtMs),
        StartedAt = run.StartedAtMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(run.StartedAtMs) : null,
        FinishedAt = run.FinishedAtMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(run.FinishedAtMs) : null,
        Retries = Math.Max(0, run.Attempts.Count - 1),
    };
}
