using System.Runtime.CompilerServices;
using Flo.Kv;

namespace Flo.Streams;

/// <summary>
/// The stream operations over partition grains, shared by the client facade and the protocol endpoints.
/// </summary>
/// <remarks>
/// Partitions: 1 by default (then the stream is one ordered log). With more, an append with a partition key goes to the
/// partition its hash picks (so one key's records keep their order); without one, appends go round-robin. Order holds
/// within a partition; a read over all partitions merges them by id (ties by partition). Waits inside a grain are at most
/// 10 s; this loop asks again until the caller's block time is used up.
/// </remarks>
public sealed class StreamApi(IGrainFactory grains)
{
    private readonly PartitionCountCache layouts = new();
    private int roundRobin;

    /// <summary>Appends a record; returns its id once it is durable.</summary>
    public async Task<StreamId> AppendAsync(string ns, string name, byte[] payload, string? partitionKey = null, Dictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var item = new StreamAppendItem { Payload = payload, Headers = headers };
        StreamLimits.ValidateItem(item);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(partitionKey, partitions);
        var ids = await Partition(ns, name, partition).Append([item]).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ids[0];
    }

    /// <summary>The partition an append with this key (null: round-robin) goes to.</summary>
    public int PartitionFor(string? partitionKey, int partitions)
        => partitions == 1 ? 0
            : partitionKey is not null ? (int)(StableHash.Of(partitionKey) % (uint)partitions)
            : (int)((uint)Interlocked.Increment(ref roundRobin) % (uint)partitions);

    /// <summary>
    /// Reads records: from <paramref name="start"/> (inclusive; null: the start of the stream), or with
    /// <paramref name="tail"/> the newest <paramref name="count"/> (or, with <paramref name="blockMs"/>, only records
    /// appended from now on). <paramref name="blockMs"/> waits when there is nothing to return.
    /// </summary>
    public async Task<IReadOnlyList<StreamRecord>> ReadAsync(string ns, string name, StreamId? start = null, bool tail = false, int count = 100, int blockMs = 0, int? partition = null, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        StreamLimits.ValidateCount(count);
        StreamLimits.ValidateBlock(blockMs);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (partition is { } p && (p < 0 || p >= partitions))
        {
            throw new StreamArgumentException($"Stream {ns}/{name} has {partitions} partition(s); there is no partition {p}.");
        }
        var targets = partition is { } only ? [only] : Enumerable.Range(0, partitions).ToArray();
        if (tail && blockMs == 0)
        {
            var tails = await Task.WhenAll(targets.Select(t => Partition(ns, name, t).ReadTail(count))).WaitAsync(cancellationToken).ConfigureAwait(false);
            return Merge(tails, count, newest: true);
        }
        StreamId[] from;
        if (tail)
        {
            // Only what is appended from now on: after each partition's current last id.
            var lasts = await Task.WhenAll(targets.Select(t => Partition(ns, name, t).LastId())).WaitAsync(cancellationToken).ConfigureAwait(false);
            from = [.. lasts.Select(l => l.Next())];
        }
        else
        {
            from = [.. targets.Select(_ => start ?? StreamId.Min)];
        }
        var deadline = Environment.TickCount64 + blockMs;
        while (true)
        {
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            StreamRecord[][] pages;
            if (targets.Length == 1)
            {
                pages = [await Partition(ns, name, targets[0]).Read(from[0], count, remaining, cancellationToken).ConfigureAwait(false)];
            }
            else
            {
                pages = await Task.WhenAll(targets.Select((t, i) => Partition(ns, name, t).Read(from[i], count, 0))).WaitAsync(cancellationToken).ConfigureAwait(false);
                if (pages.All(page => page.Length == 0) && remaining >= 20)
                {
                    // Wait on all partitions; the first that has something answers (the others' reads are dropped).
                    var waits = targets.Select((t, i) => Partition(ns, name, t).Read(from[i], count, remaining, cancellationToken)).ToList();
                    await Task.WhenAny(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
                    var answered = new List<StreamRecord[]>();
                    foreach (var wait in waits.Where(w => w.IsCompletedSuccessfully))
                    {
                        answered.Add(await wait.ConfigureAwait(false));
                    }
                    pages = [.. answered];
                }
            }
            var merged = Merge(pages, count, newest: false);
            if (merged.Count > 0 || Environment.TickCount64 >= deadline - 20)
            {
                return merged;
            }
        }
    }

    /// <summary>Up to <paramref name="count"/> records, newest first, with <paramref name="start"/> ≤ id ≤ <paramref name="end"/> (merged over partitions).</summary>
    public async Task<IReadOnlyList<StreamRecord>> ReadReverseAsync(string ns, string name, StreamId end, StreamId start, int count, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        StreamLimits.ValidateCount(count);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var pages = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).ReadReverse(end, start, count))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return pages.Length == 1 ? pages[0] : [.. pages.SelectMany(p => p).OrderByDescending(r => r.Id).ThenByDescending(r => r.Partition).Take(count)];
    }

    /// <summary>Removes the oldest records beyond <paramref name="maxLength"/> (split evenly over partitions) now; returns how many went.</summary>
    public async Task<long> TrimAsync(string ns, string name, long maxLength, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var removed = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).Trim(maxLength / partitions))).WaitAsync(cancellationToken).ConfigureAwait(false);
        return removed.Sum();
    }

    /// <summary>Appends to a given partition (the RESP endpoint spreads appends itself); returns the id.</summary>
    public async Task<StreamId> AppendToPartitionAsync(string ns, string name, int partition, StreamAppendItem item, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        StreamLimits.ValidateItem(item);
        return (await Partition(ns, name, partition).Append([item]).WaitAsync(cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Follows a stream: every record from <paramref name="start"/> (null: only records appended from now on), in order per
    /// partition, as they arrive; runs until cancelled.
    /// </summary>
    public async IAsyncEnumerable<StreamRecord> SubscribeAsync(string ns, string name, StreamId? start = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var cursors = new StreamId[partitions];
        for (var p = 0; p < partitions; p++)
        {
            cursors[p] = start ?? (await Partition(ns, name, p).LastId().WaitAsync(cancellationToken).ConfigureAwait(false)).Next();
        }
        while (!cancellationToken.IsCancellationRequested)
        {
            var any = false;
            for (var p = 0; p < partitions; p++)
            {
                var page = await Partition(ns, name, p).Read(cursors[p], 500, partitions == 1 ? 10_000 : 0, cancellationToken).ConfigureAwait(false);
                foreach (var record in page)
                {
                    cursors[p] = record.Id.Next();
                    any = true;
                    yield return record;
                }
            }
            if (!any && partitions > 1)
            {
                var waits = Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).Read(cursors[p], 1, 10_000, cancellationToken)).ToList();
                await Task.WhenAny(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Length, first and last id, bytes and trimmed count, summed over partitions (first/last: of partition 0 when there are several).</summary>
    public async Task<StreamInfo> InfoAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        var partitions = await PartitionsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        var all = await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => Partition(ns, name, p).Info())).WaitAsync(cancellationToken).ConfigureAwait(false);
        var ids = all.Where(i => i.FirstId is not null).Select(i => StreamId.Parse(i.FirstId)).ToList();
        var lasts = all.Where(i => i.LastId is not null).Select(i => StreamId.Parse(i.LastId)).ToList();
        return new StreamInfo
        {
            Length = all.Sum(i => i.Length),
            Bytes = all.Sum(i => i.Bytes),
            Trimmed = all.Sum(i => i.Trimmed),
            FirstId = ids.Count > 0 ? ids.Min().ToString() : null,
            LastId = lasts.Count > 0 ? lasts.Max().ToString() : null,
            Partitions = partitions,
            Groups = all[0].Groups,
        };
    }

    /// <summary>The stream's settings (defaults for a stream never configured).</summary>
    public Task<StreamSettings> GetSettingsAsync(string ns, string name, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        return Partition(ns, name, 0).GetSettings().WaitAsync(cancellationToken);
    }

    /// <summary>Changes partitions (grow only) and retention; retention applies at once.</summary>
    public async Task ConfigureAsync(string ns, string name, StreamSettings settings, CancellationToken cancellationToken = default)
    {
        Validate(ns, name);
        StreamLimits.ValidateSettings(settings);
        var current = await GetSettingsAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (settings.Partitions < current.Partitions)
        {
            throw new StreamArgumentException($"Stream {ns}/{name} has {current.Partitions} partitions; partitions can be added, not removed.");
        }
        await Partition(ns, name, 0).Configure(settings).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(Enumerable.Range(1, settings.Partitions - 1).Select(p => Partition(ns, name, p).Configure(settings))).WaitAsync(cancellationToken).ConfigureAwait(false);
        layouts.Set(ns, name, settings.Partitions);
    }

    /// <summary>Creates the group if needed (starting after <paramref name="startAfter"/>, null: at the stream's end) and adds the consumer.</summary>
    public Task GroupJoinAsync(string ns, string name, string group, string consumer, StreamId? startAfter = null, StreamGroupSettings? settings = null, CancellationToken cancellationToken = default)
        => Group(ns, name, group).Join(consumer, startAfter, settings).WaitAsync(cancellationToken);

    /// <summary>
    /// Delivers up to <paramref name="count"/> records to the consumer (redeliveries first); waits up to
    /// <paramref name="blockMs"/> for new ones. Throws <see cref="GroupNotFoundException"/> for a group never joined.
    /// </summary>
    public async Task<IReadOnlyList<StreamRecord>> GroupReadAsync(string ns, string name, string group, string consumer, int count = 100, int blockMs = 0, CancellationToken cancellationToken = default)
    {
        StreamLimits.ValidateCount(count);
        StreamLimits.ValidateBlock(blockMs);
        var grain = Group(ns, name, group);
        var deadline = Environment.TickCount64 + blockMs;
        while (true)
        {
            var result = await grain.Read(consumer, count).WaitAsync(cancellationToken).ConfigureAwait(false);
            var remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            if (result.Records.Length > 0 || remaining < 20)
            {
                return result.Records;
            }
            // Wait on the partitions (not in the group's turn) for a record after the group's cursor, then ask again.
            // Redeliveries that fall due meanwhile are picked up by the next read at the latest after 1 s.
            var wait = Math.Min(remaining, 1_000);
            var waits = result.Cursors.Select((cursor, p) => Partition(ns, name, p).Read(cursor.Next(), 1, wait, cancellationToken)).ToList();
            await Task.WhenAny(waits).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Acks records; returns how many were pending.</summary>
    public Task<int> GroupAckAsync(string ns, string name, string group, IReadOnlyCollection<StreamPendingKey> keys, CancellationToken cancellationToken = default)
    {
        var grain = Group(ns, name, group);
        // Acking nothing (an empty batch from a group read) changes nothing: no call, no error.
        return keys.Count == 0 ? Task.FromResult(0) : grain.Ack([.. keys]).WaitAsync(cancellationToken);
    }

    /// <summary>Pending entries, oldest delivery first, optionally of one consumer.</summary>
    public Task<StreamPendingEntry[]> GroupPendingAsync(string ns, string name, string group, string? consumer = null, int count = 100, CancellationToken cancellationToken = default)
        => Group(ns, name, group).Pending(consumer, count).WaitAsync(cancellationToken);

    /// <summary>Moves the named pending records idle at least <paramref name="minIdleMs"/> to the consumer and returns them.</summary>
    public Task<StreamRecord[]> GroupClaimAsync(string ns, string name, string group, string consumer, long minIdleMs, IReadOnlyCollection<StreamPendingKey> keys, CancellationToken cancellationToken = default)
        => Group(ns, name, group).Claim(consumer, minIdleMs, [.. keys]).WaitAsync(cancellationToken);

    /// <summary>Moves up to <paramref name="count"/> pending records idle at least <paramref name="minIdleMs"/> to the consumer.</summary>
    public Task<StreamRecord[]> GroupAutoClaimAsync(string ns, string name, string group, string consumer, long minIdleMs, int count = 100, CancellationToken cancellationToken = default)
        => Group(ns, name, group).AutoClaim(consumer, minIdleMs, count).WaitAsync(cancellationToken);

    /// <summary>Removes a consumer; its pending records go to the next consumer that reads.</summary>
    public Task<bool> GroupLeaveAsync(string ns, string name, string group, string consumer, CancellationToken cancellationToken = default)
        => Group(ns, name, group).Leave(consumer).WaitAsync(cancellationToken);

    /// <summary>Consumers, pending count, lag, dead letters and cursors of a group.</summary>
    public Task<StreamGroupInfo> GroupInfoAsync(string ns, string name, string group, CancellationToken cancellationToken = default)
        => Group(ns, name, group).Info().WaitAsync(cancellationToken);

    /// <summary>The group's dead letters (records that reached the maximum deliveries).</summary>
    public Task<StreamPendingEntry[]> GroupDeadLettersAsync(string ns, string name, string group, int count = 100, CancellationToken cancellationToken = default)
        => Group(ns, name, group).DeadLetters(count).WaitAsync(cancellationToken);

    private IStreamGroupGrain Group(string ns, string name, string group)
    {
        Validate(ns, name);
        StreamLimits.ValidateName(group);
        return grains.GetGrainByKey<IStreamGroupGrain>($"{ns}/{name}/{group}");
    }

    /// <summary>The partition count, read from partition 0 at most every 10 s.</summary>
    public ValueTask<int> PartitionsAsync(string ns, string name, CancellationToken cancellationToken)
        => layouts.GetAsync(ns, name, async () => (await Partition(ns, name, 0).GetSettings().ConfigureAwait(false)).Partitions, cancellationToken);

    private static List<StreamRecord> Merge(StreamRecord[][] pages, int count, bool newest)
    {
        if (pages.Length == 1)
        {
            return [.. pages[0]];
        }
        var all = pages.SelectMany(p => p).OrderBy(r => r.Id).ThenBy(r => r.Partition).ToList();
        return newest ? all.Skip(Math.Max(0, all.Count - count)).ToList() : all.Take(count).ToList();
    }

    private IStreamPartitionGrain Partition(string ns, string name, int partition)
        => grains.GetGrainByKey<IStreamPartitionGrain>(StreamLimits.PartitionKey(ns, name, partition));

    private static void Validate(string ns, string name)
    {
        if (KvKeys.NamespaceError(ns) is { } error)
        {
            throw new StreamArgumentException(error);
        }
        StreamLimits.ValidateName(name);
    }
}
