using Flo.Management;
using Flo.Kv;
using Flo.Streams;
using Microsoft.Extensions.Logging;

namespace Flo.Grains.Streams;

/// <summary>
/// One partition of a stream: an append-only log. Every record is its own row (keyed by a never-reused offset) beside a
/// small partition state, so an append stores O(record); the activation keeps the kept records in memory in id order.
/// </summary>
/// <remarks>
/// <para>Appends are group-committed (the grain is reentrant): records appended while a write is in flight are stored
/// by the next one. Readers see a record only once it is durable (<see cref="durableOffset"/>), so nothing read can be
/// lost by a crash. Blocking reads wait on a signal raised after each commit and never hold the turn.</para>
/// <para>Ids follow Redis: the clock's millisecond with sequence 0, or, when the clock did not move forward (or went
/// back), the last timestamp with the next sequence.</para>
/// <para>Retention (count, bytes: the stream's limit split evenly over partitions; age) is applied on every append, on
/// reads, and by a 1 s timer while an age limit is set; removed rows are deleted with the next write.</para>
/// </remarks>
[Reentrant]
[GrainType("stream")]
public sealed partial class StreamPartitionGrain(
    [StateWithRecords("stream", FloStorage.Name)] IStateWithRecords<StreamPartitionState> state,
    TimeProvider time,
    Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    ILogger<StreamPartitionGrain> logger) : Grain, IStreamPartitionGrain
{
    /// <summary>Longest single wait inside the grain; the API asks again until the caller's block time is used up.</summary>
    internal const int MaxGrainWaitMs = GrainWaits.MaxWaitMs;

    private const int LoadPageSize = 10_000;

    /// <summary>Kept records in id order; the first <see cref="head"/> are trimmed and awaiting compaction.</summary>
    private readonly List<StreamEntryRecord> entries = [];
    private int head;
    private long bytes;
    private long durableOffset;
    private TaskCompletionSource appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GuardedCommit? commits;
    private IGrainTimer? ageTimer;
    private int partition;
    private string ns = "", stream = "";
    private string name = "";

    private StreamSettings Settings => state.State.Settings;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private int Count => entries.Count - head;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (ns, stream, var p) = StreamLimits.SplitPartitionKey(this.GetPrimaryKeyString());
        partition = p;
        name = $"{ns}/{stream}";
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"Stream {name} partition {p}", error =>
        {
            LogWriteFailed(logger, error, name, partition);
            DeactivateOnIdle();
        });
        if (p != 0 && !state.RecordExists)
        {
            state.State.Settings = await GrainFactory.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey(ns, stream, 0)).GetSettings();
        }
        var after = 0L;
        while (true)
        {
            var page = await state.ReadRecordsAsync<StreamEntryRecord>(after, LoadPageSize, cancellationToken);
            foreach (var (offset, record) in page)
            {
                record.Offset = offset;
                entries.Add(record);
                bytes += record.Payload.Length;
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
            after = page[^1].Key;
        }
        durableOffset = state.State.NextOffset - 1;
        EnsureAgeTimer();
    }

    /// <inheritdoc/>
    public async Task<StreamId[]> Append(StreamAppendItem[] items)
    {
        EnsureUsable();
        if (items is null || items.Length == 0)
        {
            throw new StreamArgumentException("Nothing to append.");
        }
        if (items.Length > StreamLimits.MaxBatch)
        {
            throw new StreamArgumentException($"At most {StreamLimits.MaxBatch} records per append; got {items.Length}.");
        }
        foreach (var item in items)
        {
            StreamLimits.ValidateItem(item);
        }
        await CatalogAsync();
        EnsureUsable();
        var now = Now;
        var ids = new StreamId[items.Length];
        var last = new StreamId(state.State.LastTimestampMs, state.State.LastSequence);
        for (var i = 0; i < items.Length; i++)
        {
            last = StreamId.NextAfter(last, now);
            var record = new StreamEntryRecord
            {
                TimestampMs = last.TimestampMs,
                Sequence = last.Sequence,
                Payload = items[i].Payload,
                Headers = items[i].Headers,
                Offset = state.State.NextOffset++,
            };
            entries.Add(record);
            bytes += record.Payload.Length;
            state.StageRecord(record.Offset, record);
            ids[i] = last;
        }
        (state.State.LastTimestampMs, state.State.LastSequence) = (last.TimestampMs, last.Sequence);
        var lastOffset = state.State.NextOffset - 1;
        ApplyRetention(now);
        await CommitAsync();
        if (lastOffset > durableOffset)
        {
            durableOffset = lastOffset;
            var signal = appended;
            appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
        }
        return ids;
    }

    /// <inheritdoc/>
    public async Task<StreamRecord[]> Read(StreamId start, int count, int blockMs, CancellationToken cancellationToken)
    {
        EnsureUsable();
        StreamLimits.ValidateCount(count);
        StreamLimits.ValidateBlock(blockMs);
        var deadline = Environment.TickCount64 + Math.Min(blockMs, MaxGrainWaitMs);
        while (true)
        {
            ApplyRetention(Now);
            var from = LowerBound(start);
            var result = new List<StreamRecord>(Math.Min(count, 64));
            for (var i = from; i < entries.Count && result.Count < count && entries[i].Offset <= durableOffset; i++)
            {
                result.Add(ToRecord(entries[i]));
            }
            var remaining = deadline - Environment.TickCount64;
            if (result.Count > 0 || remaining <= 0 || cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return [.. result];
            }
            var signal = appended.Task;
            using var wait = WaitCancellation.Link(cancellationToken, lifetime);
            await Task.WhenAny(signal, Task.Delay(TimeSpan.FromMilliseconds(remaining), time, wait.Token));
        }
    }

    /// <inheritdoc/>
    public Task<StreamRecord[]> ReadBatch(StreamId start, int count, int readAhead, int readAheadBytes)
    {
        EnsureUsable();
        StreamLimits.ValidateCount(count);
        if (readAhead is < 0 or > StreamLimits.MaxBatch || readAheadBytes < 0)
        {
            throw new StreamArgumentException($"Read-ahead must be 0 to {StreamLimits.MaxBatch} records and a non-negative byte budget.");
        }
        ApplyRetention(Now);
        var result = new List<StreamRecord>(Math.Min(count + readAhead, 256));
        long extraBytes = 0;
        for (var i = LowerBound(start); i < entries.Count && entries[i].Offset <= durableOffset; i++)
        {
            if (result.Count >= count)
            {
                extraBytes += entries[i].Payload.Length;
                if (result.Count >= count + readAhead || extraBytes > readAheadBytes)
                {
                    break;
                }
            }
            result.Add(ToRecord(entries[i]));
        }
        return Task.FromResult(result.ToArray());
    }

    /// <inheritdoc/>
    public Task<StreamRecord[]> ReadTail(int count)
    {
        EnsureUsable();
        StreamLimits.ValidateCount(count);
        ApplyRetention(Now);
        var end = entries.Count;
        while (end > head && entries[end - 1].Offset > durableOffset)
        {
            end--;
        }
        var from = Math.Max(head, end - count);
        var result = new StreamRecord[end - from];
        for (var i = from; i < end; i++)
        {
            result[i - from] = ToRecord(entries[i]);
        }
        return Task.FromResult(result);
    }

    /// <inheritdoc/>
    public Task<StreamRecord[]> ReadReverse(StreamId end, StreamId start, int count)
    {
        EnsureUsable();
        StreamLimits.ValidateCount(count);
        ApplyRetention(Now);
        var result = new List<StreamRecord>(Math.Min(count, 64));
        for (var i = UpperBound(end) - 1; i >= head && result.Count < count; i--)
        {
            var e = entries[i];
            if (e.Id < start)
            {
                break;
            }
            if (e.Offset <= durableOffset)
            {
                result.Add(ToRecord(e));
            }
        }
        return Task.FromResult(result.ToArray());
    }

    /// <inheritdoc/>
    public Task<StreamId> LastId() => Task.FromResult(new StreamId(state.State.LastTimestampMs, state.State.LastSequence));

    /// <inheritdoc/>
    public Task<long> CountAfter(StreamId id)
    {
        EnsureUsable();
        ApplyRetention(Now);
        long count = 0;
        for (var i = entries.Count - 1; i >= head && entries[i].Id > id; i--)
        {
            if (entries[i].Offset <= durableOffset)
            {
                count++;
            }
        }
        return Task.FromResult(count);
    }

    /// <inheritdoc/>
    public Task<StreamInfo> Info()
    {
        EnsureUsable();
        ApplyRetention(Now);
        var last = new StreamId(state.State.LastTimestampMs, state.State.LastSequence);
        return Task.FromResult(new StreamInfo
        {
            Length = Count,
            FirstId = Count > 0 ? entries[head].Id.ToString() : null,
            LastId = last == StreamId.Min ? null : last.ToString(),
            Bytes = bytes,
            Trimmed = state.State.Trimmed,
            Partitions = 1,
            Groups = [.. state.State.Groups.Order(StringComparer.Ordinal)],
        });
    }

    /// <inheritdoc/>
    public async Task AddGroup(string group)
    {
        EnsureUsable();
        StreamLimits.ValidateName(group);
        if (!state.State.Groups.Contains(group))
        {
            await CatalogAsync();
            EnsureUsable();
            state.State.Groups.Add(group);
            await CommitAsync();
        }
    }

    /// <inheritdoc/>
    public async Task<long> Trim(long maxLength)
    {
        EnsureUsable();
        if (maxLength < 0)
        {
            throw new StreamArgumentException($"MAXLEN must not be negative; got {maxLength}.");
        }
        long removed = 0;
        while (Count > maxLength)
        {
            RemoveOldest();
            removed++;
        }
        if (removed > 0)
        {
            await CommitAsync();
        }
        return removed;
    }

    /// <inheritdoc/>
    public Task<StreamSettings> GetSettings() => Task.FromResult(Settings);

    /// <inheritdoc/>
    public async Task Configure(StreamSettings settings)
    {
        EnsureUsable();
        StreamLimits.ValidateSettings(settings);
        await CatalogAsync();
        EnsureUsable();
        state.State.Settings = settings;
        ApplyRetention(Now);
        EnsureAgeTimer();
        await CommitAsync();
    }

    /// <summary>
    /// Enters the stream in its namespace's catalog (for management listings) before the partition's first write; the
    /// flag is stored with that write, so each partition asks once in its life.
    /// </summary>
    private async ValueTask CatalogAsync()
    {
        if (!state.State.Cataloged)
        {
            await GrainFactory.GetGrain<INamespaceCatalogGrain>(ns).Add(CatalogKind.Stream, stream);
            state.State.Cataloged = true;
        }
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ageTimer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Removes the oldest records beyond the count, byte and age limits (this partition's share of them).</summary>
    private void ApplyRetention(long now)
    {
        var partitions = Math.Max(1, Settings.Partitions);
        var maxLength = Settings.MaxLength == 0 ? long.MaxValue : Math.Max(1, Settings.MaxLength / partitions);
        var maxBytes = Settings.MaxBytes == 0 ? long.MaxValue : Math.Max(1, Settings.MaxBytes / partitions);
        var oldestAllowed = Settings.MaxAgeMs == 0 ? long.MinValue : now - Settings.MaxAgeMs;
        var removed = 0;
        while (Count > 0 && (Count > maxLength || bytes > maxBytes || entries[head].TimestampMs < oldestAllowed))
        {
            RemoveOldest();
            removed++;
        }
        if (head > 1024 && head > entries.Count / 2)
        {
            entries.RemoveRange(0, head);
            head = 0;
        }
        if (removed > 0 && !commits!.IsWriting)
        {
            _ = commits.CommitInBackgroundAsync();
        }
    }

    private void RemoveOldest()
    {
        var oldest = entries[head];
        entries[head] = null!;
        head++;
        bytes -= oldest.Payload.Length;
        state.StageRecordDeletion(oldest.Offset);
        state.State.Trimmed++;
    }

    /// <summary>The index of the first kept record with id ≥ <paramref name="id"/>.</summary>
    private int LowerBound(StreamId id)
    {
        int lo = head, hi = entries.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (entries[mid].Id < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>The index of the first kept record with id &gt; <paramref name="id"/>.</summary>
    private int UpperBound(StreamId id) => id == StreamId.Max ? entries.Count : LowerBound(id.Next());

    private StreamRecord ToRecord(StreamEntryRecord e) => new()
    {
        TimestampMs = e.TimestampMs,
        Sequence = e.Sequence,
        Payload = e.Payload,
        Headers = e.Headers,
        Partition = partition,
    };

    private void EnsureAgeTimer()
    {
        if (Settings.MaxAgeMs > 0 && ageTimer is null)
        {
            ageTimer = this.RegisterGrainTimer(_ =>
            {
                if (!commits!.IsBroken)
                {
                    ApplyRetention(Now);
                }
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    private Task CommitAsync() => commits!.CommitAsync();

    private void EnsureUsable() => commits!.EnsureUsable();

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream {Stream} partition {Partition}: a storage write failed; the partition deactivates and reloads")]
    private static partial void LogWriteFailed(ILogger logger, Exception error, string stream, int partition);
}
