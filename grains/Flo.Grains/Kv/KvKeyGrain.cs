using Flo.Grains.Diagnostics;
using Flo.Kv;
using Flo.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Kv;

/// <summary>
/// One key of one namespace. The grain is reentrant and commits in groups: a write is applied in memory at once (in
/// arrival order, so versions and conditions are decided one after another) and answered when a storage write that
/// includes it completes; writes arriving while one is in flight share the next one, so a hot key costs about one
/// storage write per round trip of the store, not one per put. Reads answer from memory and see only stored versions,
/// so a value is never seen before it is durable, nor lost after it was seen. Each version is a record beside a small
/// state (<see cref="KvKeyState"/>): a put writes its own value, not the kept history.
/// </summary>
/// <remarks>
/// <para>Scan consistency: the key index is the storage's listing of key states (<see cref="IStateWithRecords{TState}.StageListing"/>),
/// changed by the same atomic write as the versions: a put that creates the key (or changes its expiry) lists it with
/// its expiry, a delete unlists it. So a put that returned is in every later scan, a deleted key in none, with no
/// second grain call per new key. Scans hide expired keys by their expiry; the silo's <see cref="KvExpirySweeper"/>
/// later reclaims them (<see cref="SettleListing"/>).</para>
/// <para>Every change is applied synchronously between awaits, so a batch's conditions are decided one after another
/// with nothing applied in between (the grain is reentrant, but a turn runs on one thread at a time).</para>
/// <para>A failed storage write leaves memory ahead of storage: the activation then refuses writes, fails the writes
/// that were waiting, and deactivates so the next activation reads what was stored.</para>
/// </remarks>
[Reentrant]
[GrainType("kv")]
public sealed partial class KvKeyGrain(
    [StateWithRecords("kv", FloStorage.Name)] IStateWithRecords<KvKeyState> state,
    TimeProvider time,
    KvLocalValues localValues,
    IHostApplicationLifetime lifetime,
    ILogger<KvKeyGrain> logger) : Grain, IKvKeyGrain
{
    /// <summary>The longest a blocking call waits inside the grain; callers wanting longer ask again.</summary>
    internal const int MaxGrainWaitMs = GrainWaits.MaxWaitMs;

    /// <summary>The most versions one watch answer carries.</summary>
    internal const int MaxWatchBatch = KvKeys.HistoryDepth;

    // Created on first use: most activations (reads, misses) never write or wait, and a key costs memory per activation.
    private readonly KvKeyVersions versions = new();
    private DurableWaiters? durableWaiters;
    private TaskCompletionSource? changed;
    private GuardedCommit? guardedCommit;
    private string? ns;
    private string? key;

    private string Namespace => ns ??= KvKeys.Split(this.GetPrimaryKeyString()).Namespace;

    private string Key => key ??= KvKeys.Split(this.GetPrimaryKeyString()).Key;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private DurableWaiters Durable => durableWaiters ??= new DurableWaiters();

    private GuardedCommit Commits => guardedCommit ??= new GuardedCommit(() => state.WriteStateAsync(), $"Key {Namespace}/{Key}", error =>
    {
        LogWriteFailed(logger, error, Namespace, Key);
        durableWaiters?.FailAll(error);
        DeactivateOnIdle();
    });

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, key) = KvKeys.Split(this.GetPrimaryKeyString());
        KvKeys.ValidateNamespace(ns);
        KvKeys.ValidateKey(key);
        if (state.State.History.Count > 0)
        {
            await MoveHistoryIntoRecordsAsync();
        }
        if (state.State.LastVersion > 0)
        {
            var stored = await state.ReadRecordsAsync<KvVersion>(state.State.FirstKept - 1, KvKeys.HistoryDepth + 1, cancellationToken);
            versions.Load(stored.Select(r => r.Value), state.State.CreatedMs);
        }
        Publish();
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Before Orleans lets the key activate anywhere else: from now on this silo's reads ask the grain.
        localValues.Withdraw(this, Namespace, Key);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<KvEntry?> Get() => Task.FromResult(Counted("get", versions.LiveStored(Key, Now)));

    /// <inheritdoc/>
    public async Task<KvEntry?> GetOrWait(int blockMs, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + Math.Max(0, blockMs);
        while (true)
        {
            if (versions.LiveStored(Key, Now) is { } entry)
            {
                return Counted("get", entry);
            }
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested || !await WaitForChangeAsync(remaining, cancellationToken))
            {
                return Counted("get", versions.LiveStored(Key, Now));
            }
        }
    }

    /// <inheritdoc/>
    public async Task<KvPutResult> Put(byte[] value, KvPutCondition condition)
    {
        var results = await Execute([KvOp.Put(value, condition)]);
        return new KvPutResult(results[0].PutStatus, results[0].Version);
    }

    /// <inheritdoc/>
    public async Task<KvDeleteResult> Delete()
    {
        var results = await Execute([KvOp.Delete()]);
        return new KvDeleteResult(results[0].Deleted, results[0].Version);
    }

    /// <inheritdoc/>
    public async Task<KvOpResult[]> Execute(KvOp[] ops)
    {
        ArgumentNullException.ThrowIfNull(ops);
        foreach (var op in ops)
        {
            // All before any is applied: a batch that joins several callers' writes (KvKeyCalls) applies all or none.
            KvKeys.ValidateOp(op);
        }
        EnsureUsable();
        FloInstruments.KvOpsPerCall.Record(ops.Length, new KeyValuePair<string, object?>("namespace", Namespace));
        var results = new KvOpResult[ops.Length];
        var wrote = false;
        Exception? failed = null;
        // No await until every op is applied: they are decided one after another, nothing else in between.
        for (var i = 0; i < ops.Length && failed is null; i++)
        {
            try
            {
                switch (ops[i].Kind)
                {
                    case KvOpKind.Get:
                        // Sees the puts before it in this batch; answered only once they (and all before them) are stored.
                        results[i] = new KvOpResult { Entry = Counted("get", versions.LiveApplied(Key, Now)) };
                        break;
                    case KvOpKind.Put:
                        results[i] = ApplyPut(ops[i].Value!, ops[i].Condition ?? KvPutCondition.None);
                        wrote |= results[i].PutStatus == KvPutStatus.Ok;
                        break;
                    default:
                        results[i] = ApplyDelete();
                        wrote |= results[i].Deleted;
                        break;
                }
            }
            catch (Exception e)
            {
                // The ops before it are applied: they are still stored (below), then the batch fails.
                failed = e;
            }
        }
        // Every answer waits until what it saw is stored: its own change, or the changes before it it was decided on.
        var upTo = versions.LastApplied;
        if (wrote)
        {
            await Commits.CommitAsync();
            Stored(upTo);
        }
        else if (upTo > versions.LastStored)
        {
            EnsureUsable();
            await Durable.WaitAsync(upTo);
        }
        if (failed is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
        }
        return results;
    }

    /// <inheritdoc/>
    public Task<KvVersion[]> History(int limit)
    {
        if (limit < 1)
        {
            throw new KvArgumentException($"History limit must be positive; got {limit}.");
        }
        return Task.FromResult(versions.StoredNewestFirst(limit));
    }

    /// <inheritdoc/>
    public async Task<KvVersion[]> WaitForVersionsAfter(long afterVersion, int limit, int timeoutMs, CancellationToken cancellationToken)
    {
        if (limit < 1)
        {
            throw new KvArgumentException($"Watch batch limit must be positive; got {limit}.");
        }
        var deadline = Environment.TickCount64 + Math.Max(0, timeoutMs);
        while (true)
        {
            var batch = versions.StoredAfter(afterVersion, Math.Min(limit, MaxWatchBatch));
            if (batch.Length > 0)
            {
                return batch;
            }
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested || !await WaitForChangeAsync(remaining, cancellationToken))
            {
                return [];
            }
        }
    }

    /// <inheritdoc/>
    public async Task SettleListing()
    {
        // A write in flight settles the listing itself, or the next sweep finds the entry again.
        if (guardedCommit is { IsBroken: true } || versions.LastApplied != versions.LastStored)
        {
            return;
        }
        var upTo = versions.LastStored;
        if (versions.Current is { IsTombstone: false } last && KvKeyVersions.Expired(last.ExpiresAtMs, Now))
        {
            // Expired: one small marker instead of up to 64 values; the version number carries on from it.
            for (var v = state.State.FirstKept; v < last.Version; v++)
            {
                state.StageRecordDeletion(v);
            }
            var marker = new KvVersion { Version = last.Version, TimestampMs = last.TimestampMs, IsTombstone = true, ExpiresAtMs = last.ExpiresAtMs };
            state.StageRecord(marker.Version, marker);
            state.State.FirstKept = marker.Version;
            versions.ReplaceAllWith(marker);
            Publish();
            upTo = marker.Version;
            state.StageUnlisting();
        }
        else if (versions.Current is { IsTombstone: false } live)
        {
            state.StageListing(live.ExpiresAtMs);
        }
        else
        {
            state.StageUnlisting();
        }
        try
        {
            await Commits.CommitAsync();
            Stored(upTo);
        }
        catch
        {
            // Reported through the commit's failure handler; the activation is reloading.
        }
    }

    private KvOpResult ApplyPut(byte[] value, KvPutCondition condition)
    {
        var now = Now;
        var live = versions.LiveApplied(Key, now);
        var currentVersion = live?.Version ?? 0;
        if (condition.CasVersion is { } expected && expected != currentVersion)
        {
            Count("put", "conflict");
            return new KvOpResult { PutStatus = KvPutStatus.VersionConflict, Version = currentVersion };
        }
        if (condition.IfNotExists && live is not null)
        {
            Count("put", "exists");
            return new KvOpResult { PutStatus = KvPutStatus.AlreadyExists, Version = currentVersion };
        }
        var ttlMs = condition.TtlMilliseconds ?? (condition.TtlSeconds is { } s ? checked(s * 1000) : 0);
        var expiresAt = ttlMs > 0 ? now + ttlMs : 0;
        if (live is null || live.ExpiresAtMs != expiresAt)
        {
            // Stored by the same write as the version: the key is in the index exactly when its put is.
            state.StageListing(expiresAt);
        }
        if (live is null)
        {
            state.State.CreatedMs = now;
        }
        var version = Append(new KvVersion { Version = versions.LastApplied + 1, TimestampMs = now, Value = value, ExpiresAtMs = expiresAt });
        Count("put", "ok");
        return new KvOpResult { PutStatus = KvPutStatus.Ok, Version = version };
    }

    private KvOpResult ApplyDelete()
    {
        if (versions.LiveApplied(Key, Now) is null)
        {
            Count("delete", "not_found");
            return new KvOpResult { Deleted = false, Version = versions.LastApplied };
        }
        var version = Append(new KvVersion { Version = versions.LastApplied + 1, TimestampMs = Now, IsTombstone = true });
        state.StageUnlisting();
        Count("delete", "ok");
        return new KvOpResult { Deleted = true, Version = version };
    }

    /// <summary>Applies a version in memory and stages it (and the drop of the one leaving the kept history) for the next write.</summary>
    private long Append(KvVersion version)
    {
        versions.Append(version, state.State.CreatedMs);
        state.StageRecord(version.Version, version);
        state.State.LastVersion = version.Version;
        if (state.State.FirstKept == 0)
        {
            state.State.FirstKept = version.Version;
        }
        while (state.State.LastVersion - state.State.FirstKept + 1 > KvKeys.HistoryDepth)
        {
            state.StageRecordDeletion(state.State.FirstKept);
            state.State.FirstKept++;
        }
        versions.TrimBefore(state.State.FirstKept);
        return version.Version;
    }

    /// <summary>Versions up to <paramref name="version"/> are durable: reads may see them, waiters are released.</summary>
    private void Stored(long version)
    {
        if (!versions.MarkStored(version))
        {
            return;
        }
        // Before any write of this commit is answered: a get sent after its put returned sees it.
        Publish();
        durableWaiters?.Release(version);
        // Wakes the waiters of this write; the next waiter creates the next signal.
        var signal = changed;
        changed = null;
        signal?.TrySetResult();
    }

    private async Task MoveHistoryIntoRecordsAsync()
    {
        var history = state.State.History;
        foreach (var v in history)
        {
            state.StageRecord(v.Version, v);
        }
        state.State.FirstKept = history[0].Version;
        state.State.LastVersion = history[^1].Version;
        state.State.History = [];
        await state.WriteStateAsync();
    }

    private void EnsureUsable() => guardedCommit?.EnsureUsable();

    /// <summary>This silo's reads of the key (<see cref="KvLocalValues"/>) answer what a <see cref="Get"/> would.</summary>
    private void Publish() => localValues.Publish(this, Namespace, Key, versions.LiveStored(Key, long.MinValue));

    private void Count(string operation, string outcome)
        => FloInstruments.CountKv(Namespace, operation, outcome);

    private KvEntry? Counted(string operation, KvEntry? entry)
    {
        Count(operation, entry is null ? "not_found" : "ok");
        return entry;
    }

    /// <summary>
    /// Waits for the next stored write, the timeout (at most <see cref="MaxGrainWaitMs"/>, so a deactivation is never
    /// held up for long: the caller asks again wherever the key lives next) or the caller giving up; true when a write
    /// happened.
    /// </summary>
    private async Task<bool> WaitForChangeAsync(long timeoutMs, CancellationToken cancellationToken)
    {
        var signal = (changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        var finished = await Task.WhenAny(signal, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(timeoutMs, MaxGrainWaitMs)), time, wait.Token));
        return finished == signal;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "KV key {Namespace}/{Key}: a storage write failed; failing the waiting writes and reloading")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string @namespace, string key);
}
