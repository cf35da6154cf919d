namespace Flo.Kv;

/// <summary>What a <see cref="KvOp"/> does. Values are frozen: they are on the wire.</summary>
public enum KvOpKind
{
    /// <summary>Reads the live value.</summary>
    Get = 0,

    /// <summary>Writes a value under a condition.</summary>
    Put = 1,

    /// <summary>Deletes the key.</summary>
    Delete = 2,
}

/// <summary>
/// One operation of a batch sent to one key in one call (<see cref="IKvKeyGrain.Execute"/>): a RESP pipeline's commands
/// on the same key travel together, are applied in order in one turn and are stored by one write.
/// </summary>
[GenerateSerializer]
[Alias("flo.kv.op")]
public readonly record struct KvOp
{
    /// <summary>What the operation does.</summary>
    [Id(0)] public KvOpKind Kind { get; init; }

    /// <summary>The value of a put.</summary>
    [Id(1)] public byte[]? Value { get; init; }

    /// <summary>The condition and TTL of a put; null: none.</summary>
    [Id(2)] public KvPutCondition? Condition { get; init; }

    /// <summary>A read of the live value.</summary>
    public static KvOp Get() => new() { Kind = KvOpKind.Get };

    /// <summary>A write of <paramref name="value"/> under <paramref name="condition"/>.</summary>
    public static KvOp Put(byte[] value, KvPutCondition? condition = null) => new() { Kind = KvOpKind.Put, Value = value, Condition = condition };

    /// <summary>A delete.</summary>
    public static KvOp Delete() => new() { Kind = KvOpKind.Delete };
}

/// <summary>The outcome of one <see cref="KvOp"/>, in the batch's order.</summary>
[GenerateSerializer]
[Immutable]
[Alias("flo.kv.op-result")]
public readonly record struct KvOpResult
{
    /// <summary>A get's live value (null: none).</summary>
    [Id(0)] public KvEntry? Entry { get; init; }

    /// <summary>A put's outcome.</summary>
    [Id(1)] public KvPutStatus PutStatus { get; init; }

    /// <summary>A put's new version (or the current one when its condition failed); a delete's version now.</summary>
    [Id(2)] public long Version { get; init; }

    /// <summary>Whether a delete removed a live key.</summary>
    [Id(3)] public bool Deleted { get; init; }
}
