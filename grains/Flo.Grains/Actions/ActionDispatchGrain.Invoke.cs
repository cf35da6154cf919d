using System.Security.Cryptography;
using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// Invokes: a new run's entry and its run grain written together, an idempotency key answering with the first run
/// (or refusing another payload), and the entry offered to workers once its run exists.
/// </summary>
public sealed partial class ActionDispatchGrain
{
    /// <inheritdoc/>
    public async Task<string> Invoke(RunInvocation invocation)
    {
        EnsureUsable();
        ArgumentNullException.ThrowIfNull(invocation);
        var definition = Definition ?? throw new ActionNotFoundException($"Action '{action}' is not registered in namespace '{ns}'.");
        ActionLimits.ValidatePayload(invocation.Payload);
        ActionLimits.ValidateIdempotencyKey(invocation.IdempotencyKey);
        ActionLimits.ValidateRange(invocation.DelayMs, 0, ActionLimits.MaxDelayMs, "DelayMs");
        var now = Now;
        Advance(now);
        byte[]? hash = null;
        if (invocation.IdempotencyKey is { } key)
        {
            hash = SHA256.HashData(invocation.Payload)[..16];
            // Again after a first run found never created (and forgotten): a concurrent invoke may have made the new one.
            while (dedup.TryGetValue(key, out var firstLocal) && entries.TryGetValue(firstLocal, out var first))
            {
                if (!hash.AsSpan().SequenceEqual(first.PayloadHash))
                {
                    throw new IdempotencyConflictException(
                        $"Idempotency key '{key}' of action '{action}' was used by run {first.RunId} with a different payload; nothing was stored.", first.RunId);
                }
                if (creating.TryGetValue(firstLocal, out var pending))
                {
                    await pending;
                }
                if (await RunExistsAsync(first))
                {
                    return first.RunId;
                }
            }
            now = Now;
        }
        var entry = new DispatchEntry
        {
            Local = state.State.NextLocal++,
            RunId = ActionLimits.NewRunId(),
            Priority = invocation.Priority ?? definition.Priority,
            Status = RunStatus.Pending,
            VisibleAtMs = now + invocation.DelayMs,
            SubmittedAtMs = now,
            IdempotencyKey = invocation.IdempotencyKey,
            PayloadHash = hash,
        };
        entries.Add(entry.Local, entry);
        byRun.Add(entry.RunId, entry.Local);
        if (entry.IdempotencyKey is { } k)
        {
            dedup[k] = entry.Local;
        }
        state.StageRecord(entry.Local, entry);
        // A stored entry whose run was never created is dropped the first time it is offered (the run answers
        // "missing"); the entry is not offered before its run exists.
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        creating.Add(entry.Local, created.Task);
        var commit = CommitAsync();
        try
        {
            // The entry and the run are written at the same time (one write's latency, not two). Should the entry's
            // write fail after the run was created, the run is removed again below (best effort), as nobody was told of it.
            await Run(entry.RunId).Create(new RunCreation
            {
                Action = action,
                Partition = partition,
                Payload = invocation.Payload,
                Priority = entry.Priority,
                IdempotencyKey = entry.IdempotencyKey,
                SubmittedAtMs = now,
                VisibleAtMs = entry.VisibleAtMs,
                Definition = definition with
                {
                    MaxRetries = invocation.MaxRetries ?? definition.MaxRetries,
                    RetryDelayMs = invocation.RetryDelayMs ?? definition.RetryDelayMs,
                },
            });
            await commit;
        }
        catch (Exception e)
        {
            if (commit.IsFaulted)
            {
                _ = PurgeAsync(entry.RunId);
            }
            else
            {
                _ = commit.ContinueWith(static t => t.Exception, TaskScheduler.Current);
            }
            creating.Remove(entry.Local);
            created.TrySetException(e);
            _ = created.Task.Exception;
            Forget(entry);
            _ = commits!.CommitInBackgroundAsync();
            throw;
        }
        creating.Remove(entry.Local);
        created.TrySetResult();
        MakeWaitingOrReady(entry, Now);
        EnsureTimeline();
        ServeWaiters(Now);
        return entry.RunId;
    }

    /// <inheritdoc/>
    public async Task<string?> RunOfKey(string idempotencyKey, byte[] payload)
    {
        EnsureUsable();
        if (!dedup.TryGetValue(idempotencyKey, out var local) || !entries.TryGetValue(local, out var entry)
            || !SHA256.HashData(payload).AsSpan(0, 16).SequenceEqual(entry.PayloadHash))
        {
            return null;
        }
        if (creating.TryGetValue(local, out var pending))
        {
            // Answered once the run exists; an invoke that fails leaves no run.
            try
            {
                await pending;
            }
            catch
            {
                return null;
            }
        }
        return await RunExistsAsync(entry) ? entry.RunId : null;
    }

    /// <summary>
    /// Whether an entry's run exists. An entry and its run are written at the same time, so a partition lost between
    /// the two writes leaves, after reloading, an entry whose run was never created. Answering its idempotency key with
    /// that run would lose the invoke (a schedule would count the due time as run). Such an entry is forgotten, which
    /// frees its key for a new run: the invoke that made it failed, so nobody was given its run id. Checked once per
    /// loaded entry that never started; entries of this activation's invokes exist once the invoke returned.
    /// </summary>
    private async Task<bool> RunExistsAsync(DispatchEntry entry)
    {
        if (!unverified.Contains(entry.Local))
        {
            return true;
        }
        if (await Run(entry.RunId).Get() is not null)
        {
            unverified.Remove(entry.Local);
            return true;
        }
        // Unless an answer of the run (missing) already forgot it meanwhile.
        if (entries.TryGetValue(entry.Local, out var current) && ReferenceEquals(current, entry))
        {
            Forget(entry);
            await CommitAsync();
        }
        return false;
    }
}
