namespace Flo.Tasks;

/// <summary>How a task runs (the executor's <c>app.task(name, cpu_bound, max_retries, retry_delay)</c>).</summary>
/// <param name="MaxRetries">Extra attempts after a failure (default 3).</param>
/// <param name="RetryDelay">Fixed delay between attempts (default 1 s; tasks do not back off, as the executor).</param>
/// <param name="CpuBound">Run on the worker's CPU lane (thread pool, core-sized limit).</param>
/// <param name="Timeout">Longest one attempt may run (default 30 s).</param>
/// <param name="Priority">Default priority; higher first (default 10).</param>
public sealed record TaskOptions(int MaxRetries = 3, TimeSpan? RetryDelay = null, bool CpuBound = false, TimeSpan? Timeout = null, int Priority = 10);

/// <summary>How a task app's embedded worker runs.</summary>
/// <param name="Concurrency">I/O tasks run at once (the executor's <c>io_workers</c>; default 4).</param>
/// <param name="CpuConcurrency">CPU-bound tasks run at once (the executor's <c>cpu_workers</c>; 0: one per core).</param>
/// <param name="RunWorker">Run the tasks in this process on <see cref="FloTaskApp.StartAsync"/> (false: only submit and wait, workers elsewhere).</param>
/// <param name="Namespace">Namespace of the tasks; null for the client's default.</param>
public sealed record TaskAppOptions(int Concurrency = 4, int CpuConcurrency = 0, bool RunWorker = true, string? Namespace = null);

/// <summary>Options of a submit.</summary>
/// <param name="Priority">Higher first; null for the task's default.</param>
/// <param name="IdempotencyKey">A repeat with this key returns the first task's id.</param>
/// <param name="Delay">Not started before this long.</param>
public sealed record TaskSubmitOptions(int? Priority = null, string? IdempotencyKey = null, TimeSpan? Delay = null);
