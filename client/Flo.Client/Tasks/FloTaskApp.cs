using System.Text.Json;
using Flo.Actions;

namespace Flo.Tasks;

/// <summary>A registered task: its name and typed arguments and result (the executor's decorated function).</summary>
public sealed class TaskDefinition<TArgs, TResult>
{
    internal TaskDefinition(string name, TaskOptions options) => (Name, Options) = (name, options);

    /// <summary>The task's name (its action's name).</summary>
    public string Name { get; }

    /// <summary>Its options.</summary>
    public TaskOptions Options { get; }
}

/// <summary>
/// The task executor's API in .NET style, over actions and workers (no second engine):
/// <code>
/// var app = client.NewTaskApp();
/// var resize = app.Task("resize", async (ResizeArgs a, CancellationToken ct) => await ResizeAsync(a, ct), new TaskOptions(MaxRetries: 2));
/// await app.StartAsync();
/// var id = await app.SubmitAsync(resize, new ResizeArgs("cat.png", 100));
/// var result = await app.WaitForResultAsync&lt;ResizeResult&gt;(id, TimeSpan.FromSeconds(30));
/// </code>
/// A task is an action (retries with a fixed delay), a submit is an invoke, arguments and results are JSON. With
/// <see cref="TaskAppOptions.RunWorker"/> the app runs its tasks in this process on an <see cref="ActionWorker"/>.
/// </summary>
public sealed class FloTaskApp : IAsyncDisposable
{
    private readonly FloClient client;
    private readonly TaskAppOptions options;
    private readonly ActionWorker worker;
    private readonly List<(string Name, ActionRegisterOptions Register)> tasks = [];
    private bool started;

    internal FloTaskApp(FloClient client, TaskAppOptions options, Microsoft.Extensions.Logging.ILogger? logger)
    {
        this.client = client;
        this.options = options;
        worker = client.NewActionWorker(new ActionWorkerOptions(Concurrency: options.Concurrency, CpuConcurrency: options.CpuConcurrency, Namespace: options.Namespace), logger);
    }

    private ActionCallOptions CallOptions => new(options.Namespace);

    /// <summary>Registers an async task with typed arguments and result.</summary>
    public TaskDefinition<TArgs, TResult> Task<TArgs, TResult>(string name, Func<TArgs, CancellationToken, Task<TResult>> handler, TaskOptions? taskOptions = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        taskOptions ??= new TaskOptions();
        var register = new ActionRegisterOptions(
            TimeoutMs: (long)(taskOptions.Timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds,
            MaxRetries: taskOptions.MaxRetries,
            RetryDelayMs: (long)(taskOptions.RetryDelay ?? TimeSpan.FromSeconds(1)).TotalMilliseconds,
            Backoff: 1,
            Priority: taskOptions.Priority,
            Namespace: options.Namespace);
        ActionLimits.ValidateDefinition(register.ToDefinition(name));
        worker.Action(name, async ctx =>
        {
            var args = JsonSerializer.Deserialize<TArgs>(ctx.Payload, ActionJson.Options)!;
            var result = await handler(args, ctx.CancellationToken).ConfigureAwait(false);
            return JsonSerializer.SerializeToUtf8Bytes(result, ActionJson.Options);
        }, new ActionHandlerOptions(CpuBound: taskOptions.CpuBound, Register: register));
        tasks.Add((name, register));
        return new TaskDefinition<TArgs, TResult>(name, taskOptions);
    }

    /// <summary>Registers a synchronous task (typically CPU-bound: set <see cref="TaskOptions.CpuBound"/>).</summary>
    public TaskDefinition<TArgs, TResult> Task<TArgs, TResult>(string name, Func<TArgs, TResult> handler, TaskOptions? taskOptions = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Task<TArgs, TResult>(name, (args, _) => System.Threading.Tasks.Task.FromResult(handler(args)), taskOptions);
    }

    /// <summary>Registers the tasks and, with <see cref="TaskAppOptions.RunWorker"/>, starts running them here.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (started)
        {
            throw new InvalidOperationException("The task app was already started.");
        }
        started = true;
        if (options.RunWorker && tasks.Count > 0)
        {
            await worker.StartAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        foreach (var (name, register) in tasks)
        {
            await client.Action.RegisterAsync(name, register, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the embedded worker (finishing or handing back its tasks).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => worker.StopAsync(cancellationToken);

    /// <summary>Submits a task; returns its id.</summary>
    public Task<string> SubmitAsync<TArgs, TResult>(TaskDefinition<TArgs, TResult> task, TArgs args, TaskSubmitOptions? submit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return client.Action.InvokeJsonAsync(task.Name, args, new ActionInvokeOptions(submit?.Priority, submit?.IdempotencyKey, (long)(submit?.Delay ?? TimeSpan.Zero).TotalMilliseconds, options.Namespace), cancellationToken);
    }

    /// <summary>Runs a task on a cron schedule (the executor's <c>schedule_cron</c>); returns the schedule.</summary>
    public Task<Flo.Schedules.ScheduleInfo> ScheduleCronAsync<TArgs, TResult>(TaskDefinition<TArgs, TResult> task, string cron, TArgs args, string? timeZone = null, string? description = null, CancellationToken cancellationToken = default)
        => client.Schedule.CronAsync(task.Name, cron, timeZone, ScheduleOptionsFor(args, description), cancellationToken);

    /// <summary>Runs a task every <paramref name="interval"/> (the executor's <c>schedule_interval</c>); returns the schedule.</summary>
    public Task<Flo.Schedules.ScheduleInfo> ScheduleIntervalAsync<TArgs, TResult>(TaskDefinition<TArgs, TResult> task, TimeSpan interval, TArgs args, string? description = null, CancellationToken cancellationToken = default)
        => client.Schedule.IntervalAsync(task.Name, interval, ScheduleOptionsFor(args, description), cancellationToken);

    /// <summary>Runs a task once at <paramref name="at"/> (the executor's <c>schedule_once</c>); returns the schedule.</summary>
    public Task<Flo.Schedules.ScheduleInfo> ScheduleOnceAsync<TArgs, TResult>(TaskDefinition<TArgs, TResult> task, DateTimeOffset at, TArgs args, string? description = null, CancellationToken cancellationToken = default)
        => client.Schedule.OnceAsync(task.Name, at, ScheduleOptionsFor(args, description), cancellationToken);

    private Flo.Schedules.ScheduleOptions ScheduleOptionsFor<TArgs>(TArgs args, string? description)
        => new(Args: JsonSerializer.SerializeToUtf8Bytes(args, ActionJson.Options), Description: description, Namespace: options.Namespace);

    /// <summary>Waits for a task to finish and returns its result; throws <see cref="RunWaitTimeoutException"/> after <paramref name="timeout"/> (null: no limit).</summary>
    public async Task<TaskResult<TResult>> WaitForResultAsync<TResult>(string taskId, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => TaskResult<TResult>.From(await client.Action.WaitAsync(taskId, timeout, CallOptions, cancellationToken).ConfigureAwait(false));

    /// <summary>A task's state and result now; null when there is no such task.</summary>
    public async Task<TaskResult<TResult>?> GetResultAsync<TResult>(string taskId, CancellationToken cancellationToken = default)
    {
        try
        {
            return TaskResult<TResult>.From(await client.Action.GetRunAsync(taskId, CallOptions, cancellationToken).ConfigureAwait(false));
        }
        catch (RunNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => worker.DisposeAsync();
}
