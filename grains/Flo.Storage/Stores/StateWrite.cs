namespace Flo.Storage.Stores;

/// <summary>
/// One conditional write or clear waiting in a <see cref="WriteBatcher"/>. The batch executor records
/// <see cref="NewVersion"/>; the batcher completes the caller once the whole batch committed.
/// </summary>
internal sealed class StateWrite
{
    private const int Queued = 0;
    private const int Taken = 1;
    private const int Canceled = 2;

    private readonly TaskCompletionSource<long?> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int state;

    /// <param name="key">The state.</param>
    /// <param name="payload">The new payload, or null to clear (leave a tombstone).</param>
    /// <param name="expectedVersion">The version the caller holds; null: the state must never have existed.</param>
    /// <param name="records">Record changes stored only if this write's condition holds (distinct ids); a clear deletes every record instead.</param>
    /// <param name="listing">The listing change stored only if this write's condition holds (null: unchanged); a clear unlists instead.</param>
    public StateWrite(StateKey key, ReadOnlyMemory<byte>? payload, long? expectedVersion, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing)
    {
        Listing = payload is null ? GrainListingChange.Unlist : listing;
        Key = key;
        Payload = payload;
        ExpectedVersion = expectedVersion;
        Records = records;
    }

    public StateKey Key { get; }

    public ReadOnlyMemory<byte>? Payload { get; }

    public bool IsClear => Payload is null;

    public long? ExpectedVersion { get; }

    public IReadOnlyList<GrainRecordChange> Records { get; }

    public GrainListingChange? Listing { get; }

    /// <summary>Set by the batch executor: the version written, or null when the ETag condition did not hold (zero rows).</summary>
    public long? NewVersion { get; set; }

    /// <summary>Completes with <see cref="NewVersion"/> after commit, or fails with the batch's error.</summary>
    public Task<long?> Completion => completion.Task;

    /// <summary>The batcher claims the write for a batch; false when the caller gave up first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Queued) == Queued;

    /// <summary>The caller gives up; only possible before the batcher took the write, after that the write goes ahead.</summary>
    public bool TryCancel(CancellationToken cancellationToken)
        => Interlocked.CompareExchange(ref state, Canceled, Queued) == Queued && completion.TrySetCanceled(cancellationToken);

    public void Complete() => completion.TrySetResult(NewVersion);

    public void Fail(Exception error) => completion.TrySetException(error);
}
