using Flo.Grains.Diagnostics;
using Flo.Kv;

namespace Flo.Grains.Kv;

/// <summary>
/// One key of one namespace. Puts and deletes are turns (one at a time) and are written to storage before they
/// return; blocking gets and watches interleave, waiting on a signal that every write completes, so thousands of
/// waiters cost a task each and never hold the key's turn. Expired values are invisible at once (checked against the
/// clock on every read).
/// </summary>
/// <remarks>
/// Scan consistency: the namespace's key index is told before a put of a new key returns (it is added, or its expiry
/// changed, before the value is stored) and after a delete was stored, so the index always holds at least the live
/// keys, and scans hide expired ones by their expiry. A crash between the tombstone write and the index removal can
/// leave a deleted key listed until the key is touched again (its next activation removes it).
/// </remarks>
[GrainType("kv")]
public sealed class KvKeyGrain([PersistentState("kv", FloStorage.Name)] IPersistentState<KvKeyState> state, TimeProvider time, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime) : Grain, IKvKeyGrain
{
    /// <summary>The longest a blocking call waits inside the grain; callers wanting longer ask again.</summary>
    internal const int MaxGrainWaitMs = GrainWaits.MaxWaitMs;

    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? ns;
    private string? key;

    private string Namespace => ns ??= KvKeys.Split(this.GetPrimaryKeyString()).Namespace;

    private string Key => key ??= KvKeys.Split(this.GetPrimaryKeyString()).Key;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private List<KvVersion> Versions => state.State.History;

    private long LastVersion => Versions.Count == 0 ? 0 : Versions[^1].Version;

    private IKvIndexGrain Index => GrainFactory.GetGrain<IKvIndexGrain>(KvKeys.IndexGrainKey(Namespace, Key));

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, key) = KvKeys.Split(this.GetPrimaryKeyString());
        KvKeys.ValidateNamespace(ns);
        KvKeys.ValidateKey(key);
        if (Versions.Count > 0 && Versions[^1].IsTombstone)
        {
            // Repairs the window where a delete was stored but the index not yet told (idempotent).
            await Index.Remove(Key);
        }
    }

    /// <inheritdoc/>
    public Task<KvEntry?> Get() => Task.FromResult(Counted("get", Live(Now)));

    /// <inheritdoc/>
    public async Task<KvEntry?> GetOrWait(int blockMs, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + Math.Max(0, blockMs);
        while (true)
        {
            if (Live(Now) is { } entry)
            {
                return Counted("get", entry);
            }
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested || !await WaitForChangeAsync(remaining, cancellationToken))
            {
                return Counted("get", Live(Now));
            }
        }
    }

    /// <inheritdoc/>
    public async Task<KvPutResult> Put(byte[] value, KvPutCondition condition)
    {
        KvKeys.ValidateValue(value);
        if (condition.TtlSeconds is < 0 || condition.TtlMilliseconds is < 0 || condition.CasVersion is < 0)
        {
            throw new KvArgumentException("TTL and CAS version must not be negative.");
        }
        var now = Now;
        var live = Live(now);
        var currentVersion = live?.Version ?? 0;
        if (condition.CasVersion is { } expected && expected != currentVersion)
        {
            Count("put", "conflict");
            return new KvPutResult(KvPutStatus.VersionConflict, currentVersion);
        }
        if (condition.IfNotExists && live is not null)
        {
            Count("put", "exists");
            return new KvPutResult(KvPutStatus.AlreadyExists, currentVersion);
        }
        var ttlMs = condition.TtlMilliseconds ?? (condition.TtlSeconds is { } s ? checked(s * 1000) : 0);
        var expiresAt = ttlMs > 0 ? now + ttlMs : 0;
        if (live is null || live.ExpiresAtMs != expiresAt)
        {
            // Before the value is stored: the index may list a key a crash then never wrote, never miss a live one.
            await Index.Upsert(Key, expiresAt);
        }
        if (live is null)
        {
            state.State.CreatedMs = now;
        }
        var version = LastVersion + 1;
        Append(new KvVersion { Version = version, TimestampMs = now, Value = value, ExpiresAtMs = expiresAt });
        await WriteAsync();
        Count("put", "ok");
        return new KvPutResult(KvPutStatus.Ok, version);
    }

    /// <inheritdoc/>
    public async Task<KvDeleteResult> Delete()
    {
        var now = Now;
        if (Live(now) is null)
        {
            Count("delete", "not_found");
            return new KvDeleteResult(false, LastVersion);
        }
        var version = LastVersion + 1;
        Append(new KvVersion { Version = version, TimestampMs = now, IsTombstone = true });
        await WriteAsync();
        await Index.Remove(Key);
        Count("delete", "ok");
        return new KvDeleteResult(true, version);
    }

    private void Count(string operation, string outcome)
        => FloInstruments.KvOperations.Add(1, new("namespace", Namespace), new("operation", operation), new("outcome", outcome));

    private KvEntry? Counted(string operation, KvEntry? entry)
    {
        Count(operation, entry is null ? "not_found" : "ok");
        return entry;
    }

    /// <inheritdoc/>
    public Task<KvVersion[]> History(int limit)
    {
        if (limit < 1)
        {
            throw new KvArgumentException($"History limit must be positive; got {limit}.");
        }
        return Task.FromResult(Enumerable.Reverse(Versions).Take(limit).ToArray());
    }

    /// <inheritdoc/>
    public async Task<KvVersion?> WaitForVersionAfter(long afterVersion, int timeoutMs, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + Math.Max(0, timeoutMs);
        while (true)
        {
            foreach (var v in Versions)
            {
                if (v.Version > afterVersion)
                {
                    return v;
                }
            }
            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0 || cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested || !await WaitForChangeAsync(remaining, cancellationToken))
            {
                return null;
            }
        }
    }

    /// <inheritdoc/>
    public async Task ReclaimIfExpired()
    {
        if (Versions.Count == 0 || Versions[^1] is not { IsTombstone: false } last || last.ExpiresAtMs == 0 || last.ExpiresAtMs > Now)
        {
            return;
        }
        // One small marker instead of up to 64 values: the version number carries on from it.
        state.State.History = [new KvVersion { Version = last.Version, TimestampMs = last.TimestampMs, IsTombstone = true, ExpiresAtMs = last.ExpiresAtMs }];
        await WriteAsync();
    }

    private KvEntry? Live(long now)
    {
        if (Versions.Count == 0 || Versions[^1] is not { IsTombstone: false, Value: { } value } current)
        {
            return null;
        }
        if (current.ExpiresAtMs != 0 && current.ExpiresAtMs <= now)
        {
            return null;
        }
        return new KvEntry
        {
            Key = Key,
            Value = value,
            Version = current.Version,
            CreatedMs = state.State.CreatedMs,
            UpdatedMs = current.TimestampMs,
            ExpiresAtMs = current.ExpiresAtMs,
        };
    }

    private void Append(KvVersion version)
    {
        Versions.Add(version);
        if (Versions.Count > KvKeys.HistoryDepth)
        {
            Versions.RemoveRange(0, Versions.Count - KvKeys.HistoryDepth);
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // What storage did not take did not happen: reload so the next caller sees the stored truth.
            await state.ReadStateAsync();
            throw;
        }
        var signal = changed;
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        signal.TrySetResult();
    }

    /// <summary>
    /// Waits for the next stored write, the timeout (at most <see cref="MaxGrainWaitMs"/>, so a deactivation is never
    /// held up for long: the caller asks again wherever the key lives next) or the caller giving up; true when a write
    /// happened.
    /// </summary>
    private async Task<bool> WaitForChangeAsync(long timeoutMs, CancellationToken cancellationToken)
    {
        var signal = changed.Task;
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        var finished = await Task.WhenAny(signal, Task.Delay(TimeSpan.FromMilliseconds(Math.Min(timeoutMs, MaxGrainWaitMs)), time, wait.Token));
        return finished == signal;
    }
}
