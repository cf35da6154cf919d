namespace Flo.Storage;

/// <summary>
/// A stored grain state record. <see cref="Etag"/> can be set while <see cref="Exists"/> is false: a cleared state
/// leaves a tombstone whose version keeps counting, so a stale writer can never match a recreated record (no ABA).
/// </summary>
public readonly record struct GrainStateRecord(ReadOnlyMemory<byte> Data, string? Etag, bool Exists)
{
    /// <summary>Nothing was ever stored.</summary>
    public static GrainStateRecord None => default;
}

/// <summary>
/// A grain storage provider (memory, SQLite, PostgreSQL). Stores opaque bytes per (grain id, state name) with
/// optimistic concurrency: every write names the ETag it expects and fails with
/// <see cref="InconsistentStateException"/> when storage holds another one.
/// </summary>
public interface IGrainStorage
{
    /// <summary>Reads the record, or <see cref="GrainStateRecord.None"/>.</summary>
    Task<GrainStateRecord> ReadAsync(GrainId grainId, string stateName, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the data if the stored ETag equals <paramref name="expectedEtag"/> (null: nothing may ever have been stored).
    /// Returns the new ETag once the write is durable.
    /// </summary>
    Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the data and changes records kept beside it, in one atomic step: the record changes are stored only if the
    /// ETag condition held and the state was written (otherwise <see cref="InconsistentStateException"/> and nothing changed).
    /// A write costs what changed, not what is kept, so a grain holding many records stays cheap to write.
    /// </summary>
    Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, IReadOnlyList<GrainRecordChange> records, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> records of the state with ids above <paramref name="afterId"/>, in id order.</summary>
    Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(GrainId grainId, string stateName, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Clears the record if the stored ETag equals <paramref name="expectedEtag"/>, leaving a tombstone, and deletes
    /// every record kept beside it; returns the tombstone's ETag.
    /// </summary>
    Task<string?> ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken);
}
