using System.Text;

namespace Flo.Actions;

/// <summary>
/// Names, limits and grain keys shared by the client, the grains and the HTTP API, so all of them refuse the same input
/// with the same <see cref="ActionArgumentException"/> before anything is stored.
/// </summary>
public static class ActionLimits
{
    /// <summary>Longest action name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 512;

    /// <summary>Largest payload or result (1 MiB).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Longest error text kept per attempt.</summary>
    public const int MaxErrorLength = 4096;

    /// <summary>Longest idempotency key.</summary>
    public const int MaxIdempotencyKeyLength = 256;

    /// <summary>Longest worker id.</summary>
    public const int MaxWorkerIdLength = 128;

    /// <summary>Longest timeout of an attempt (24 h) and longest delay or retry delay (7 days).</summary>
    public const long MaxTimeoutMs = 24L * 3600 * 1000, MaxDelayMs = 7L * 24 * 3600 * 1000;

    /// <summary>
    /// How long before its due time (a delay, a retry delay, a schedule's due time) a run may be leased to a worker: its
    /// attempt is stored then, and the worker starts the handler at the due time (<see cref="RunLease.NotBeforeMs"/>),
    /// so the lease round trip and the start's write are not between the due time and the handler.
    /// </summary>
    public const long LeaseAheadMs = 250;

    /// <summary>Longest retention of finished runs (90 days); shortest 1 s.</summary>
    public const long MaxRetentionMs = 90L * 24 * 3600 * 1000, MinRetentionMs = 1_000;

    /// <summary>Most retries.</summary>
    public const int MaxRetries = 100;

    /// <summary>Most dispatch partitions of one action.</summary>
    public const int MaxPartitions = 16;

    /// <summary>Most runs one lease or listing page returns.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Longest lease (heartbeat timeout) a worker may ask for.</summary>
    public const long MaxLeaseMs = 10L * 60 * 1000;

    /// <summary>Throws unless the action name is 1 to 512 UTF-8 bytes without control characters.</summary>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || Encoding.UTF8.GetByteCount(name) > MaxNameBytes || name.Any(char.IsControl))
        {
            throw new ActionArgumentException($"Action name must be 1 to {MaxNameBytes} UTF-8 bytes without control characters; got '{Shorten(name)}'.");
        }
    }

    /// <summary>Throws unless the namespace is valid.</summary>
    public static void ValidateNamespace(string? ns)
    {
        if (Kv.KvKeys.NamespaceError(ns) is { } error)
        {
            throw new ActionArgumentException(error);
        }
    }

    /// <summary>Throws unless the payload (or result) is present and at most 1 MiB.</summary>
    public static void ValidatePayload(byte[]? payload, string what = "Payload")
    {
        if (payload is null)
        {
            throw new ActionArgumentException($"{what} is required (an empty array for none).");
        }
        if (payload.Length > MaxPayloadBytes)
        {
            throw new ActionArgumentException($"{what} is {payload.Length} bytes; the limit is {MaxPayloadBytes}.");
        }
    }

    /// <summary>Throws unless the run id looks like one this platform issues (32 hex digits).</summary>
    public static void ValidateRunId(string? runId)
    {
        if (runId is not { Length: 32 } || !runId.All(char.IsAsciiHexDigitLower))
        {
            throw new ActionArgumentException($"Run id must be 32 lowercase hex digits; got '{Shorten(runId)}'.");
        }
    }

    /// <summary>Throws unless the idempotency key is 1 to 256 characters.</summary>
    public static void ValidateIdempotencyKey(string? key)
    {
        if (key is not null && (key.Length == 0 || key.Length > MaxIdempotencyKeyLength))
        {
            throw new ActionArgumentException($"Idempotency key must be 1 to {MaxIdempotencyKeyLength} characters; got {key.Length}.");
        }
    }

    /// <summary>Throws unless the worker id is 1 to 128 characters without control characters.</summary>
    public static void ValidateWorkerId(string? workerId)
    {
        if (string.IsNullOrEmpty(workerId) || workerId.Length > MaxWorkerIdLength || workerId.Any(char.IsControl))
        {
            throw new ActionArgumentException($"Worker id must be 1 to {MaxWorkerIdLength} characters without control characters; got '{Shorten(workerId)}'.");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void ValidateRange(long value, long min, long max, string what)
    {
        if (value < min || value > max)
        {
            throw new ActionArgumentException($"{what} must be between {min} and {max}; got {value}.");
        }
    }

    /// <summary>Throws unless the definition's settings are within bounds.</summary>
    public static void ValidateDefinition(ActionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ValidateName(definition.Name);
        ValidateRange(definition.TimeoutMs, 1, MaxTimeoutMs, "TimeoutMs");
        ValidateRange(definition.MaxRetries, 0, MaxRetries, "MaxRetries");
        ValidateRange(definition.RetryDelayMs, 0, MaxDelayMs, "RetryDelayMs");
        ValidateRange(definition.RetentionMs, MinRetentionMs, MaxRetentionMs, "RetentionMs");
        ValidateRange(definition.Partitions, 1, MaxPartitions, "Partitions");
        if (!(definition.Backoff >= 1 && definition.Backoff <= 10))
        {
            throw new ActionArgumentException($"Backoff must be between 1 and 10; got {definition.Backoff}.");
        }
    }

    /// <summary>Keeps an error text within <see cref="MaxErrorLength"/>.</summary>
    public static string? TruncateError(string? error) => error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error;

    /// <summary>Grain key of an action's definition: <c>ns/action</c>.</summary>
    public static string ActionKey(string ns, string action) => $"{ns}/{action}";

    /// <summary>Grain key of a run: <c>ns/runId</c>.</summary>
    public static string RunKey(string ns, string runId) => $"{ns}/{runId}";

    /// <summary>Grain key of an action's dispatch partition: <c>ns/action/p</c>.</summary>
    public static string DispatchKey(string ns, string action, int partition) => $"{ns}/{action}/{partition}";

    /// <summary>Splits <c>ns/rest</c> (namespaces have no slash; action names may).</summary>
    public static (string Ns, string Tail) SplitKey(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>Splits a dispatch key into namespace, action and partition.</summary>
    public static (string Ns, string Action, int Partition) SplitDispatchKey(string key)
    {
        var (ns, rest) = SplitKey(key);
        var last = rest.LastIndexOf('/');
        return (ns, rest[..last], int.Parse(rest[(last + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A new run id: a time-ordered UUIDv7 as 32 lowercase hex digits.</summary>
    public static string NewRunId() => Guid.CreateVersion7().ToString("N");

    private static string Shorten(string? s) => s is null ? "(null)" : s.Length > 64 ? s[..64] + "..." : s;
}
