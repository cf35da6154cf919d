namespace Flo.Storage;

/// <summary>
/// One record kept beside a grain state (a queue's message, a stream's entry): addressed by a 64-bit id within the
/// state, stored and read on its own, so a grain holding many of them writes only what changed.
/// </summary>
public readonly record struct GrainRecord(long Id, ReadOnlyMemory<byte> Data);

/// <summary>
/// A change to one record, stored atomically with a state write: <see cref="Data"/> null deletes the record, otherwise
/// it is inserted or replaced. The ids of one write are distinct.
/// </summary>
public readonly record struct GrainRecordChange(long Id, ReadOnlyMemory<byte>? Data)
{
    /// <summary>Inserts or replaces a record (an empty payload is a record too).</summary>
    public static GrainRecordChange Upsert(long id, ReadOnlyMemory<byte> data) => new(id, data);

    /// <summary>Deletes a record.</summary>
    public static GrainRecordChange Delete(long id) => new(id, null);

    /// <summary>Whether this change deletes the record.</summary>
    public bool IsDelete => Data is null;
}
