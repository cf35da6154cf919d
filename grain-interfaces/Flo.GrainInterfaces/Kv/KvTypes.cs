namespace Flo.Kv;

/// <summary>A key's current value. Times are milliseconds since the Unix epoch on the owning silo.</summary>
/// <remarks>
/// <see cref="ImmutableAttribute"/>: a call inside the silo (RESP, HTTP) gets the key grain's own instance, not a deep
/// copy of the value's bytes. Nobody may change <see cref="Value"/>'s bytes.
/// </remarks>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.entry")]
public sealed record KvEntry
{
    /// <summary>The key (without namespace).</summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>The value bytes.</summary>
    [Id(1)] public required byte[] Value { get; init; }

    /// <summary>Per-key version: 1 on the first write, +1 on every put or delete.</summary>
    [Id(2)] public long Version { get; init; }

    /// <summary>When the key was created (the first put after it did not exist).</summary>
    [Id(3)] public long CreatedMs { get; init; }

    /// <summary>When this version was written.</summary>
    [Id(4)] public long UpdatedMs { get; init; }

    /// <summary>When the key expires; 0 when it does not.</summary>
    [Id(5)] public long ExpiresAtMs { get; init; }
}

/// <summary>Conditions and TTL of a put (the grain-level form of the client's <c>PutOptions</c>).</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.put-condition")]
public sealed record KvPutCondition
{
    /// <summary>No condition, no TTL.</summary>
    public static KvPutCondition None { get; } = new();

    /// <summary>Expiry in seconds from the write; null or 0 for none (a put without TTL clears an earlier one).</summary>
    [Id(0)] public long? TtlSeconds { get; init; }

    /// <summary>Succeed only if the current version is this (0: the key must not exist).</summary>
    [Id(1)] public long? CasVersion { get; init; }

    /// <summary>Succeed only if the key does not exist (an expired key does not exist).</summary>
    [Id(2)] public bool IfNotExists { get; init; }

    /// <summary>Milliseconds instead of seconds (RESP <c>PX</c>); wins over <see cref="TtlSeconds"/> when set.</summary>
    [Id(3)] public long? TtlMilliseconds { get; init; }
}

/// <summary>Outcome of a put. Values are frozen: they are on the wire.</summary>
public enum KvPutStatus
{
    /// <summary>Written; <see cref="KvPutResult.Version"/> is the new version.</summary>
    Ok = 0,
    /// <summary>The CAS version did not match; <see cref="KvPutResult.Version"/> is the current version (0: none).</summary>
    VersionConflict = 1,
    /// <summary><c>IfNotExists</c> and the key exists; <see cref="KvPutResult.Version"/> is the current version.</summary>
    AlreadyExists = 2,
}

/// <summary>Result of a put.</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.put-result")]
public readonly record struct KvPutResult([property: Id(0)] KvPutStatus Status, [property: Id(1)] long Version);

/// <summary>Result of a delete: whether a live key was deleted, and the version now (the tombstone's).</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.delete-result")]
public readonly record struct KvDeleteResult([property: Id(0)] bool Deleted, [property: Id(1)] long Version);

/// <summary>One version in a key's history: a value, or a tombstone left by a delete.</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.version")]
public sealed record KvVersion
{
    /// <summary>The version.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>When it was written.</summary>
    [Id(1)] public long TimestampMs { get; init; }

    /// <summary>The value; null for a tombstone.</summary>
    [Id(2)] public byte[]? Value { get; init; }

    /// <summary>True when this version is a delete.</summary>
    [Id(3)] public bool IsTombstone { get; init; }

    /// <summary>Expiry the version was written with; 0 for none.</summary>
    [Id(4)] public long ExpiresAtMs { get; init; }

    /// <summary>
    /// For a watch: how many versions right before this one were skipped because they fell out of the kept history
    /// before the watcher read them (0: none). A gap marker, as etcd reports compaction; history reads leave it 0.
    /// </summary>
    [Id(5)] public long Skipped { get; init; }
}

/// <summary>A page of keys from the key index.</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.index-page")]
public sealed record KvIndexPage
{
    /// <summary>Keys in ordinal (UTF-8 byte) order.</summary>
    [Id(0)] public string[] Keys { get; init; } = [];

    /// <summary>Whether the index holds more matching keys after the last one.</summary>
    [Id(1)] public bool HasMore { get; init; }
}

