using Flo.Grains.Diagnostics;
using Flo.Kv;
using Flo.Streams;

namespace Flo.Grains.Streams;

/// <summary>
/// A consumer group: which records of the stream it has handed out (a cursor per partition) and which are still
/// unacked (pending entries, one row each). Reentrant with group commit, so the reads and acks of many consumers share
/// writes. New records come from a read-ahead buffer filled by one fetch at a time (so two consumers never get the same
/// new record, and one call to a partition serves many readers); an entry fetched across an await is checked again
/// before it is handed out. A read never waits (blocking reads wait in the API, on the partitions, and ask again).
/// Every change is stored before the answer.
/// </summary>
/// <remarks>
/// Redelivery: a read first hands out pending records whose ack timeout passed (or whose consumer left or timed out), to
/// the consumer that reads, counting the delivery; one that already had <see cref="StreamGroupSettings.MaxDeliveries"/>
/// becomes a dead letter instead. A pending record trimmed from the stream meanwhile is dropped (it can no longer be
/// delivered). Consumers that have not read for <see cref="StreamGroupSettings.ConsumerTimeoutMs"/> are removed.
/// </remarks>
[Reentrant]
[GrainType("streamgroup")]
public sealed partial class StreamGroupGrain(
    [StateWithRecords("streamgroup", FloStorage.Name)] IStateWithRecords<StreamGroupState> state,
    TimeProvider time) : Grain, IStreamGroupGrain
{
    private const int LoadPageSize = 10_000;

    private readonly Dictionary<StreamPendingKey, PendingRecord> pending = [];
    private DueQueue<StreamPendingKey>? dueAt;
    private readonly SortedDictionary<long, PendingRecord> dead = [];

    /// <summary>Held while records are fetched from the partitions into the read-ahead, so two reads never fetch the same records.</summary>
    private readonly SemaphoreSlim fetchLock = new(1, 1);
    private readonly StreamGroupReadAhead readAhead = new();
    private readonly StreamGroupConsumers consumers = new(state);
    private string ns = "", stream = "", group = "";
    private int rotation;
    private GuardedCommit? commits;
    private int partitions;
    private long partitionsReadAt;
    private long nextConsumerSweepMs;
    private GaugeCells.Cell? lagGauge;

    private StreamGroupSettings Settings => state.State.Settings;

    /// <summary>When pending entries' ack timeouts end (acked entries are skipped when taken).</summary>
    private DueQueue<StreamPendingKey> DueAt => dueAt ??= new(() => pending.Count, PendingDueTimes);

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var parts = this.GetPrimaryKeyString().Split('/');
        if (parts.Length != 3)
        {
            throw new StreamArgumentException($"'{this.GetPrimaryKeyString()}' is not a consumer group key (namespace/stream/group).");
        }
        (ns, stream, group) = (parts[0], parts[1], parts[2]);
        commits = new GuardedCommit(() => state.WriteStateAsync(), $"Consumer group {ns}/{stream}/{group}", _ => DeactivateOnIdle());
        var after = long.MinValue;
        while (true)
        {
            var page = await state.ReadRecordsAsync<PendingRecord>(after, LoadPageSize, cancellationToken);
            foreach (var (_, record) in page)
            {
                if (record.IsConsumer)
                {
                    consumers.Load(record);
                }
                else if (record.Dead)
                {
                    dead[record.Slot] = record;
                }
                else
                {
                    pending[record.Key] = record;
                    DueAt.Schedule(record.Key, record.DeliveredAtMs + Settings.AckTimeoutMs);
                }
            }
            if (page.Count < LoadPageSize)
            {
                break;
            }
            after = page[^1].Key;
        }
        // Groups stored before consumers became rows kept them in the state: move them (stored with the next change).
        foreach (var (consumer, readAt) in state.State.Consumers)
        {
            consumers.Touch(consumer, readAt, Settings.ConsumerTimeoutMs);
        }
        state.State.Consumers.Clear();
        lagGauge = FloInstruments.StreamLags.Add(FloInstruments.Tags(ns, "stream", stream, new KeyValuePair<string, object?>("group", group)));
        this.RegisterGrainTimer(SampleLagAsync, LagSamplePeriod, LagSamplePeriod);
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        lagGauge?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>How often an active group samples its lag for the metrics gauge (a call per stream partition each time).</summary>
    private static readonly TimeSpan LagSamplePeriod = TimeSpan.FromSeconds(10);

    private async Task SampleLagAsync(CancellationToken cancellationToken)
    {
        if (commits is { IsBroken: false } && state.RecordExists)
        {
            lagGauge?.Set(await LagAsync());
        }
    }

    /// <summary>Records the group has not been delivered yet, over every partition.</summary>
    private async Task<long> LagAsync()
    {
        var total = await PartitionsAsync(force: false);
        long lag = 0;
        for (var p = 0; p < total; p++)
        {
            lag += await Partition(p).CountAfter(p < state.State.Cursors.Count ? state.State.Cursors[p] : StreamId.Min);
        }
        return lag;
    }

    /// <inheritdoc/>
    public async Task Join(string consumer, StreamId? startAfter, StreamGroupSettings? settings)
    {
        commits!.EnsureUsable();
        if (consumer.Length > 0)
        {
            ValidateConsumer(consumer);
        }
        if (settings is not null)
        {
            ValidateSettings(settings);
        }
        await fetchLock.WaitAsync();
        try
        {
            await JoinLockedAsync(consumer, startAfter, settings);
        }
        finally
        {
            fetchLock.Release();
        }
    }

    private async Task JoinLockedAsync(string consumer, StreamId? startAfter, StreamGroupSettings? settings)
    {
        if (!state.RecordExists)
        {
            var count = await PartitionsAsync(force: true);
            var cursors = new List<StreamId>(count);
            for (var p = 0; p < count; p++)
            {
                cursors.Add(startAfter ?? await Partition(p).LastId());
            }
            state.State.Cursors = cursors;
            await Partition(0).AddGroup(group);
        }
        if (settings is not null)
        {
            state.State.Settings = settings;
            // Due times follow the ack timeout: entries queued under the old one would never match again.
            DueAt.Rebuild();
        }
        if (consumer.Length > 0)
        {
            consumers.Touch(consumer, Now, 0);
        }
        await WriteAsync();
    }

    /// <inheritdoc/>
    public async Task<StreamGroupReadResult> Read(string consumer, int count)
    {
        EnsureExists();
        ValidateConsumer(consumer);
        StreamLimits.ValidateCount(count);
        var now = Now;
        var changed = consumers.Touch(consumer, now, Settings.ConsumerTimeoutMs);
        changed |= ExpireConsumers(now, consumer);
        var records = new List<StreamRecord>();

        // Redeliveries first: records whose ack timeout passed.
        while (records.Count < count && DueAt.TryTakeDue(now, out var key, out var due))
        {
            if (!pending.TryGetValue(key, out var entry) || entry.DeliveredAtMs + Settings.AckTimeoutMs != due)
            {
                continue;
            }
            changed = true;
            if (entry.Deliveries >= Settings.MaxDeliveries)
            {
                Bury(entry);
                continue;
            }
            var record = await FetchAsync(entry);
            if (record is null || !StillPending(entry, entry.DeliveredAtMs + Settings.AckTimeoutMs == due))
            {
                // Acked, claimed or redelivered by another call while the record was fetched.
                continue;
            }
            Deliver(entry, consumer, now);
            records.Add(record with { Deliveries = entry.Deliveries });
        }

        // Then new records, partitions in rotation so none starves: first what was read ahead (taking a buffered record
        // and moving the cursor happen in one turn, so readers need no lock for it), then, when that is not enough,
        // fetched by one reader at a time; a fetch reads ahead for the readers after it.
        changed |= TakeReadAhead(records, count, consumer, now);
        if (records.Count < count)
        {
            await fetchLock.WaitAsync();
            try
            {
                var total = await PartitionsAsync(force: false);
                while (state.State.Cursors.Count < total)
                {
                    // A partition added after the group was created is read from its start.
                    state.State.Cursors.Add(StreamId.Min);
                    changed = true;
                }
                // What the reader before us fetched while we waited.
                changed |= TakeReadAhead(records, count, consumer, now);
                var start = rotation++;
                for (var i = 0; i < total && records.Count < count; i++)
                {
                    var p = (start + i) % total;
                    var fresh = await Partition(p).ReadBatch(readAhead.FetchFrom(p, state.State.Cursors[p]), count - records.Count, StreamGroupReadAhead.MaxRecords, StreamGroupReadAhead.MaxBytes);
                    readAhead.Add(p, state.State.Cursors[p], fresh);
                    changed |= TakeFrom(p, records, count, consumer, now);
                }
            }
            finally
            {
                fetchLock.Release();
            }
        }
        if (changed)
        {
            await WriteAsync();
        }
        return new StreamGroupReadResult { Records = [.. records], Cursors = [.. state.State.Cursors] };
    }

    /// <inheritdoc/>
    public async Task<int> Ack(StreamPendingKey[] keys)
    {
        EnsureExists();
        ValidateKeys(keys);
        var acked = 0;
        foreach (var key in keys)
        {
            if (pending.Remove(key, out var entry))
            {
                state.StageRecordDeletion(entry.Slot);
                acked++;
            }
        }
        if (acked > 0)
        {
            await WriteAsync();
        }
        return acked;
    }

    /// <inheritdoc/>
    public Task<StreamPendingEntry[]> Pending(string? consumer, int count)
    {
        EnsureExists();
        StreamLimits.ValidateCount(count);
        var now = Now;
        return Task.FromResult(pending.Values
            .Where(e => consumer is null || e.Consumer == consumer)
            .OrderBy(e => e.DeliveredAtMs).ThenBy(e => e.Slot)
            .Take(count)
            .Select(e => ToEntry(e, now))
            .ToArray());
    }

    /// <inheritdoc/>
    public async Task<StreamGroupInfo> Info()
    {
        EnsureExists();
        var now = Now;
        var lag = await LagAsync();
        lagGauge?.Set(lag);
        return new StreamGroupInfo
        {
            Name = group,
            ConsumerIdleMs = consumers.IdleMs(now),
            Pending = pending.Count,
            Lag = lag,
            DlqSize = dead.Count,
            Cursors = [.. state.State.Cursors],
        };
    }

    /// <summary>
    /// Stores the group. After a failed write memory is ahead of storage (a moved cursor, pending entries not stored):
    /// nothing more may be stored from it, or a later write would persist the cursor without the entries and skip records.
    /// </summary>
    private Task WriteAsync() => commits!.CommitAsync();

    /// <summary>Hands out read-ahead records, partitions in rotation, until <paramref name="count"/>; true when any was.</summary>
    private bool TakeReadAhead(List<StreamRecord> records, int count, string consumer, long now)
    {
        var total = state.State.Cursors.Count;
        var took = false;
        for (var i = 0; i < total && records.Count < count; i++)
        {
            took |= TakeFrom((rotation + i) % total, records, count, consumer, now);
        }
        rotation++;
        return took;
    }

    /// <summary>Hands out read-ahead records of partition <paramref name="p"/>, moving its cursor; true when any was.</summary>
    private bool TakeFrom(int p, List<StreamRecord> records, int count, string consumer, long now)
    {
        var took = false;
        while (records.Count < count && readAhead.TryTake(p, out var record))
        {
            var entry = new PendingRecord { Slot = state.State.NextSlot++, Partition = p, Id = record.Id };
            pending[entry.Key] = entry;
            Deliver(entry, consumer, now);
            state.State.Cursors[p] = record.Id;
            records.Add(record with { Deliveries = 1 });
            took = true;
        }
        return took;
    }

    /// <summary>Whether an entry fetched across an await is still pending and unchanged (reads, claims and acks interleave).</summary>
    private bool StillPending(PendingRecord entry, bool unchanged)
        => unchanged && pending.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry);

    private void Deliver(PendingRecord entry, string consumer, long now)
    {
        entry.Consumer = consumer;
        entry.Deliveries++;
        entry.DeliveredAtMs = now;
        DueAt.Schedule(entry.Key, now + Settings.AckTimeoutMs);
        state.StageRecord(entry.Slot, entry);
    }

    /// <summary>Pending entries and when their ack timeout ends: what the due queue is rebuilt from.</summary>
    private IEnumerable<(StreamPendingKey, long)> PendingDueTimes()
        => pending.Values.Select(e => (e.Key, e.DeliveredAtMs + Settings.AckTimeoutMs));

    /// <summary>The record of a pending entry from its partition, or null (and the entry dropped) when retention removed it.</summary>
    private async Task<StreamRecord?> FetchAsync(PendingRecord entry)
    {
        var found = await Partition(entry.Partition).Read(entry.Id, 1, 0);
        if (found.Length == 1 && found[0].Id == entry.Id)
        {
            return found[0];
        }
        pending.Remove(entry.Key);
        state.StageRecordDeletion(entry.Slot);
        return null;
    }

    private StreamPendingEntry ToEntry(PendingRecord e, long now) => new()
    {
        Partition = e.Partition,
        Id = e.Id,
        Consumer = e.Consumer,
        Deliveries = e.Deliveries,
        IdleMs = Math.Max(0, now - e.DeliveredAtMs),
    };

    private async ValueTask<int> PartitionsAsync(bool force)
    {
        // partitions == 0: not read yet in this activation (a reactivated group must not assume one partition).
        if (force || partitions == 0 || Environment.TickCount64 - partitionsReadAt > 10_000)
        {
            partitions = (await Partition(0).GetSettings()).Partitions;
            partitionsReadAt = Environment.TickCount64;
        }
        return partitions;
    }

    private IStreamPartitionGrain Partition(int p) => GrainFactory.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey(ns, stream, p));

    private void EnsureExists()
    {
        commits!.EnsureUsable();
        if (!state.RecordExists)
        {
            throw new GroupNotFoundException($"Stream {ns}/{stream} has no consumer group '{group}'; join it first.");
        }
    }

    private static void ValidateKeys(StreamPendingKey[] keys)
    {
        if (keys is null || keys.Length is 0 or > StreamLimits.MaxBatch)
        {
            throw new StreamArgumentException($"Name 1 to {StreamLimits.MaxBatch} records.");
        }
    }

    private static void ValidateSettings(StreamGroupSettings settings)
    {
        if (settings.AckTimeoutMs < 1 || settings.MaxDeliveries < 1 || settings.ConsumerTimeoutMs < 1 || settings.DlqMaxSize < 1)
        {
            throw new StreamArgumentException("Group settings must be positive.");
        }
    }
}
