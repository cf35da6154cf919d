using System.Text;
using System.Text.Json;

namespace Flo.Actions;

/// <summary>
/// What a handler gets for one attempt of a run (seed: <c>ActionContext</c> with <c>ctx.json()</c> and
/// <c>ctx.to_bytes()</c>). <see cref="CancellationToken"/> is cancelled when the attempt times out, the run is cancelled
/// or taken back, or the worker stops.
/// </summary>
public sealed class ActionContext
{
    private readonly Func<Task> heartbeat;

    internal ActionContext(RunLease lease, string ns, string workerId, CancellationToken cancellationToken, Func<Task> heartbeat)
    {
        RunId = lease.RunId;
        Action = lease.Action;
        Payload = lease.Payload;
        Attempt = lease.Attempt;
        MaxAttempts = lease.MaxAttempts;
        IdempotencyKey = lease.IdempotencyKey;
        Namespace = ns;
        WorkerId = workerId;
        CancellationToken = cancellationToken;
        this.heartbeat = heartbeat;
    }

    /// <summary>The run's id.</summary>
    public string RunId { get; }

    /// <summary>The action.</summary>
    public string Action { get; }

    /// <summary>What the run was invoked with.</summary>
    public byte[] Payload { get; }

    /// <summary>This attempt's number (1 for the first).</summary>
    public int Attempt { get; }

    /// <summary>Most attempts the run may take.</summary>
    public int MaxAttempts { get; }

    /// <summary>
    /// The idempotency key the run was invoked with, or null without one. A run started by a schedule has
    /// <c>schedule:{scheduleId}:{dueMs}</c>: the schedule's id and the due time (Unix ms) it serves.
    /// </summary>
    public string? IdempotencyKey { get; }

    /// <summary>The run's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The worker running it.</summary>
    public string WorkerId { get; }

    /// <summary>Cancelled when the attempt must stop (timeout, cancel, taken back, worker stopping).</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>The payload as JSON (web defaults; seed: <c>ctx.json()</c>).</summary>
    public T Json<T>(JsonSerializerOptions? options = null)
        => JsonSerializer.Deserialize<T>(Payload, options ?? ActionJson.Options) ?? throw new ActionArgumentException($"Run {RunId}: the payload is JSON null, not a {typeof(T).Name}.");

    /// <summary>A value as JSON bytes, for a result (seed: <c>ctx.to_bytes()</c>).</summary>
    public byte[] ToBytes<T>(T value, JsonSerializerOptions? options = null) => JsonSerializer.SerializeToUtf8Bytes(value, options ?? ActionJson.Options);

    /// <summary>
    /// Heartbeats this run now (the worker already does so every interval): throws <see cref="OperationCanceledException"/>
    /// when the run is no longer this worker's (cancelled, timed out, taken back).
    /// </summary>
    public async Task HeartbeatAsync()
    {
        await heartbeat().ConfigureAwait(false);
        CancellationToken.ThrowIfCancellationRequested();
    }
}
