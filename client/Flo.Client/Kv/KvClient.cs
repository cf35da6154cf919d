using Flo.Calls;

namespace Flo.Kv;

/// <summary>
/// The KV store through <see cref="FloClient.Kv"/>: <c>await client.Kv.PutAsync("user:1", bytes)</c>. Every call takes
/// a namespace override (in its options) and a cancellation token; arguments are validated before anything is sent;
/// failures are typed: the store's answers (<see cref="VersionConflictException"/>, <see cref="KeyExistsException"/>,
/// <see cref="KvArgumentException"/>, <see cref="InvalidCursorException"/>, all <see cref="FloException"/>), and for the
/// transport <see cref="CallOutcomeUnknownException"/> when a call failed after it may have executed (timeout, lost connection;
/// never for <c>[ReadOnly]</c>/<c>[Idempotent]</c> reads until their deadline passed), and
/// <see cref="ClusterUnavailableException"/> when no silo accepted it before the deadline (nothing ran). Calls that are
/// safe to resend are resent first (<see cref="FloRetryOptions"/>).
/// </summary>
public sealed class KvClient
{
    private readonly KvApi api;
    private readonly string defaultNamespace;

    internal KvClient(IGrainFactory grains, string defaultNamespace)
    {
        api = new KvApi(grains);
        this.defaultNamespace = defaultNamespace;
    }

    /// <summary>The value of a key, or null when it does not exist (or expired); with <see cref="GetOptions.BlockMs"/>, waits for it.</summary>
    public Task<KvEntry?> GetAsync(string key, GetOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.GetAsync(options?.Namespace ?? defaultNamespace, key, options?.BlockMs ?? 0, cancellationToken);
    }

    /// <summary>Writes a value; returns the key's new version.</summary>
    public Task<long> PutAsync(string key, byte[] value, PutOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.PutAsync(options?.Namespace ?? defaultNamespace, key, value,
                new KvPutCondition { TtlSeconds = options?.TtlSeconds, CasVersion = options?.CasVersion, IfNotExists = options?.IfNotExists ?? false },
                cancellationToken);
    }

    /// <summary>Deletes a key; false when it did not exist.</summary>
    public Task<bool> DeleteAsync(string key, KvOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.DeleteAsync(options?.Namespace ?? defaultNamespace, key, cancellationToken);
    }

    /// <summary>One page of keys with the prefix, in UTF-8 byte order; pass <see cref="KvScanPage.Cursor"/> for the next.</summary>
    public Task<KvScanPage> ScanAsync(string prefix, ScanOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.ScanAsync(options?.Namespace ?? defaultNamespace, prefix, options?.Limit ?? KvKeys.DefaultScanLimit, options?.Cursor, cancellationToken);
    }

    /// <summary>Every key with the prefix, paging for you.</summary>
    public IAsyncEnumerable<string> ScanAllAsync(string prefix, ScanOptions? options = null, CancellationToken cancellationToken = default)
        => api.ScanAllAsync(options?.Namespace ?? defaultNamespace, prefix, options?.Limit ?? KvKeys.DefaultScanLimit, cancellationToken);

    /// <summary>The key's versions, newest first (values and delete tombstones).</summary>
    public Task<IReadOnlyList<KvVersion>> HistoryAsync(string key, HistoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = CallScope.Enter(cancellationToken);
        return api.HistoryAsync(options?.Namespace ?? defaultNamespace, key, options?.Limit ?? 10, cancellationToken);
    }

    /// <summary>
    /// Follows a key: every version after <paramref name="fromVersion"/>, in order, until cancelled; each round trip brings
    /// every version since the last. A version with <see cref="KvVersion.Skipped"/>     /// <summary>Follows a key: every version after <paramref name="fromVersion"/>, in order, until cancelled.</summary>gt; 0 follows a gap: that many
    /// versions fell out of the kept history before the watcher read them.
    /// </summary>
    public IAsyncEnumerable<KvVersion> WatchAsync(string key, long fromVersion = 0, KvOptions? options = null, CancellationToken cancellationToken = default)
        => api.WatchAsync(options?.Namespace ?? defaultNamespace, key, fromVersion, cancellationToken);
}
