namespace Flo.Storage;

/// <summary>A stored grain state record: its serialized bytes and ETag.</summary>
public readonly record struct GrainStateRecord(ReadOnlyMemory<byte> Data, string? Etag)
{
    /// <summary>No record stored.</summary>
    public static GrainStateRecord None => default;

    /// <summary>Whether a record exists.</summary>
    public bool Exists => Etag is not null;
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

    /// <summary>Writes the data if the stored ETag equals <paramref name="expectedEtag"/> (null: no record may exist). Returns the new ETag.</summary>
    Task<string> WriteAsync(GrainId grainId, string stateName, ReadOnlyMemory<byte> data, string? expectedEtag, CancellationToken cancellationToken);

    /// <summary>Deletes the record if the stored ETag equals <paramref name="expectedEtag"/>. Clearing a missing record with a null ETag succeeds.</summary>
    Task ClearAsync(GrainId grainId, string stateName, string? expectedEtag, CancellationToken cancellationToken);
}
