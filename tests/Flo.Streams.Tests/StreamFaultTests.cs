using System.Collections.Concurrent;
using System.Diagnostics;
using Flo.Storage;
using Flo.Tests.Shared;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace Flo.Streams.Tests;

/// <summary>A silo killed under appends and a consuming group: every acknowledged append reaches the group, in partition order.</summary>
/// <remarks>
/// The test has no fixed total deadline: it fails only when nothing moves (no acknowledged append, no delivery, no ack)
/// for <see cref="StallLimit"/>, and then prints where the partitions and the group live and how far everyone got.
/// </remarks>
[Trait("Category", "Fault")]
public sealed class StreamFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    /// <summary>How long the run may go without any progress before it counts as stalled.</summary>
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Failures a silo kill may cause: the call may or may not have run (<see cref="CallOutcomeUnknownException"/>), was
    /// not accepted (<see cref="ClusterUnavailableException"/>), timed out, was rejected by Orleans (rejections,
    /// <c>SiloUnavailableException</c>, a stale activation's <c>InconsistentStateException</c>), or reached a grain that
    /// lost a storage write and is reloading (<see cref="InvalidOperationException"/>).
    /// </summary>
    private static bool Transient(Exception e)
        => e is CallOutcomeUnknownException or ClusterUnavailableException or TimeoutException or OrleansException or InvalidOperationException;

    [Fact]
    public async Task EveryAcknowledgedAppendIsDeliveredToTheGroupInPartitionOrderAcrossASiloKill()
    {
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Silos = 3,
            Storage = FloStorageProvider.Postgres,
            ConnectionString = postgres.ConnectionString,
        });
        // A response timeout well inside the stall limit: a call in flight through the killed gateway times out instead
        // of holding its producer or consumer for Orleans' 30 s.
        await using var client = await cluster.ConnectAsync(options: FloClientOptions.Default with { ResponseTimeout = TimeSpan.FromSeconds(10) });
        const string s = "fault", g = "workers";
        const int producers = 8, consumers = 4, perProducer = 400, killAfter = 1_200, partitions = 2;
        await client.Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = partitions, MaxLength = 0 });
        await client.Stream.GroupJoinAsync(s, g, "c0", new StreamGroupJoinOptions(StartAfter: StreamId.Min, Settings: StreamGroupSettings.Default with { AckTimeoutMs = 5_000, MaxDeliveries = 100 }));

        var appended = new ConcurrentDictionary<(int, StreamId), byte>();
        var delivered = new ConcurrentDictionary<(int, StreamId), int>();
        var outOfOrder = 0;
        var duplicatesWithoutCount = 0;
        var producerErrors = 0;
        var consumerErrors = 0;
        var acked = 0L;
        var producersDone = false;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errorKinds = new ConcurrentDictionary<string, int>();
        void Note(Exception e) => errorKinds.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(160, e.Message.Length)]}", 1, (_, n) => n + 1);

        // Progress: every acknowledged append, delivery and ack moves it; the watchdog cancels the run when it stops.
        var progress = 0L;
        void Moved() => Interlocked.Increment(ref progress);
        using var stalled = new CancellationTokenSource();
        using var finished = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var watchdog = Task.Run(async () =>
        {
            var seen = Volatile.Read(ref progress);
            var lastMove = clock.Elapsed;
            while (!finished.IsCancellationRequested)
            {
                await Task.Delay(250);
                var now = Volatile.Read(ref progress);
                if (now != seen)
                {
                    (seen, lastMove) = (now, clock.Elapsed);
                }
                else if (clock.Elapsed - lastMove > StallLimit)
                {
                    output.WriteLine($"stalled at {clock.Elapsed.TotalSeconds:0.0} s: nothing moved for {StallLimit.TotalSeconds:0} s");
                    await stalled.CancelAsync();
                    return;
                }
            }
        });

        var api = new StreamApi(client.Grains);
        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            var key = $"key-{p}";
            var partition = api.PartitionFor(key, partitions);
            for (var i = 0; i < perProducer && !stalled.IsCancellationRequested; i++)
            {
                try
                {
                    var id = await client.Stream.AppendAsync(s, BitConverter.GetBytes(i), new AppendOptions(PartitionKey: key), stalled.Token);
                    appended.TryAdd((partition, id), 0);
                    Moved();
                    if (appended.Count >= killAfter)
                    {
                        killed.TrySetResult();
                    }
                }
                catch (OperationCanceledException) when (stalled.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (Transient(e))
                {
                    Interlocked.Increment(ref producerErrors);
                    Note(e);
                }
            }
        })).ToList();

        var consuming = Enumerable.Range(0, consumers).Select(c => Task.Run(async () =>
        {
            var consumer = $"c{c}";
            var lastFirstDelivery = new StreamId[partitions];
            while (!stalled.IsCancellationRequested)
            {
                IReadOnlyList<StreamRecord> batch;
                try
                {
                    batch = await client.Stream.GroupReadAsync(s, g, consumer, new StreamGroupReadOptions(Count: 100, BlockMs: 500), stalled.Token);
                    if (batch.Count == 0 && Volatile.Read(ref producersDone))
                    {
                        var info = await client.Stream.GroupInfoAsync(s, g, cancellationToken: stalled.Token);
                        if (info.Pending == 0 && info.Lag == 0)
                        {
                            return;
                        }
                    }
                }
                catch (OperationCanceledException) when (stalled.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (Transient(e))
                {
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                    continue;
                }
                if (batch.Count == 0)
                {
                    continue;
                }
                foreach (var r in batch)
                {
                    Moved();
                    var seen = delivered.AddOrUpdate((r.Partition, r.Id), 1, (_, n) => n + 1);
                    if (seen > 1 && r.Deliveries < 2)
                    {
                        Interlocked.Increment(ref duplicatesWithoutCount);
                    }
                    if (r.Deliveries == 1)
                    {
                        // First deliveries come off the group's cursor: ascending within a partition.
                        if (r.Id <= lastFirstDelivery[r.Partition])
                        {
                            Interlocked.Increment(ref outOfOrder);
                        }
                        lastFirstDelivery[r.Partition] = r.Id;
                    }
                }
                try
                {
                    var n = await client.Stream.GroupAckAsync(s, g, batch, cancellationToken: stalled.Token);
                    Interlocked.Add(ref acked, n);
                    Moved();
                }
                catch (OperationCanceledException) when (stalled.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (Transient(e))
                {
                    // Unacked records come back after the ack timeout.
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                }
            }
        })).ToList();

        SiloHandle? victim = null;
        Task killing = Task.CompletedTask;
        List<string> placementBefore = [];
        async Task KillAsync(SiloHandle silo)
        {
            await cluster.KillSiloAsync(silo);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: membership settled without {silo.Name}");
        }
        try
        {
            await killed.Task.WaitAsync(stalled.Token);
            var hosts = await HostsAsync(cluster, client, s, g, partitions);
            placementBefore = [.. hosts.Select(h => $"{h.Grain} on {h.Silo?.Name ?? "no activation"}")];
            // A silo that hosts a partition or the group, not the primary if another will do (the client knows every
            // gateway, so any may go).
            var used = hosts.Select(h => h.Silo).OfType<SiloHandle>().Distinct().ToList();
            victim = used.FirstOrDefault(x => x != cluster.Cluster.Primary) ?? used.FirstOrDefault() ?? cluster.Silos[^1];
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {appended.Count} appended, {delivered.Count} delivered; {string.Join(", ", placementBefore)}; killing {victim.Name}");
            // The load goes on while the cluster notices: waiting for membership to settle is not progress, so it is
            // not on the watched path (the test cluster may wait its fallback time when it misses the moment).
            killing = KillAsync(victim);
            await Task.WhenAll(producing).WaitAsync(stalled.Token);
            Volatile.Write(ref producersDone, true);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: producers done, {appended.Count} appended");
            await Task.WhenAll(consuming).WaitAsync(stalled.Token);
        }
        catch (OperationCanceledException) when (stalled.IsCancellationRequested)
        {
            // Reported below.
        }
        finished.Cancel();
        await watchdog;
        await killing;
        var drained = !stalled.IsCancellationRequested;
        if (!drained)
        {
            // Let the loops see the cancellation before the cluster goes.
            await Task.WhenAny(Task.WhenAll(producing.Concat(consuming)), Task.Delay(TimeSpan.FromSeconds(15)));
        }

        var redelivered = delivered.Count(d => d.Value > 1);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: appended (acknowledged) {appended.Count}, delivered {delivered.Count}, redelivered {redelivered}, acked {Interlocked.Read(ref acked)}, producer errors {producerErrors}, consumer errors {consumerErrors}");
        foreach (var (kind, count) in errorKinds.OrderByDescending(k => k.Value).Take(8))
        {
            output.WriteLine($"{count} x {kind}");
        }
        var skipped = appended.Keys.Where(k => !delivered.ContainsKey(k)).ToList();
        if (skipped.Count > 0 || !drained)
        {
            await DiagnoseAsync(cluster, client, s, g, partitions, skipped, placementBefore, victim);
        }
        Assert.True(drained, $"the run stalled: nothing moved for {StallLimit.TotalSeconds:0} s (see the output)");
        Assert.True(skipped.Count == 0, $"{skipped.Count} acknowledged appends never reached the group, e.g. {string.Join(", ", skipped.Take(5))}");
        Assert.Equal(0, outOfOrder);
        Assert.Equal(0, duplicatesWithoutCount);
        Assert.True(appended.Count >= producers * perProducer - producerErrors);
        var final = await client.Stream.InfoAsync(s);
        Assert.True(final.Length >= appended.Count);
    }

    /// <summary>Which silo hosts each partition and the group now (activating them if needed).</summary>
    private static async Task<List<(string Grain, SiloHandle? Silo)>> HostsAsync(PlatformTestCluster cluster, FloClient client, string s, string g, int partitions)
    {
        var hosts = new List<(string, SiloHandle?)>();
        for (var p = 0; p < partitions; p++)
        {
            hosts.Add(($"partition {p}", await cluster.HostOfAsync(client.Grains.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey("default", s, p)))));
        }
        hosts.Add(("group", await cluster.HostOfAsync(client.Grains.GetGrain<IStreamGroupGrain>($"default/{s}/{g}"))));
        return hosts;
    }

    /// <summary>Prints what a stalled or lossy run needs explained: placement, the group's cursors and pending, each partition's extent.</summary>
    private async Task DiagnoseAsync(PlatformTestCluster cluster, FloClient client, string s, string g, int partitions, List<(int, StreamId)> skipped, List<string> placementBefore, SiloHandle? victim)
    {
        var budget = TimeSpan.FromSeconds(10);
        output.WriteLine($"silos: {string.Join(", ", cluster.Silos.Select(x => $"{x.Name} {x.SiloAddress} {(x.IsActive ? "active" : "down")}"))}; killed {victim?.Name ?? "none"}");
        output.WriteLine($"before the kill: {string.Join(", ", placementBefore)}");
        try
        {
            var hosts = await HostsAsync(cluster, client, s, g, partitions).WaitAsync(budget);
            output.WriteLine($"now: {string.Join(", ", hosts.Select(h => $"{h.Grain} on {h.Silo?.Name ?? "no activation"}"))}");
        }
        catch (Exception e)
        {
            output.WriteLine($"placement unknown: {e.GetType().Name}: {e.Message}");
        }
        StreamGroupInfo? group = null;
        try
        {
            group = await client.Stream.GroupInfoAsync(s, g).WaitAsync(budget);
            output.WriteLine($"group cursors {string.Join(", ", group.Cursors)}, pending {group.Pending}, lag {group.Lag}, dead letters {group.DlqSize}, consumers {string.Join(" ", group.ConsumerIdleMs.Select(c => $"{c.Key}:{c.Value}ms"))}");
        }
        catch (Exception e)
        {
            output.WriteLine($"group info failed: {e.GetType().Name}: {e.Message}");
        }
        for (var p = 0; p < partitions; p++)
        {
            try
            {
                var grain = client.Grains.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey("default", s, p));
                var info = await grain.Info().WaitAsync(budget);
                var missing = skipped.Where(k => k.Item1 == p).Select(k => k.Item2).ToList();
                var line = $"partition {p}: length {info.Length}, first {info.FirstId}, last {info.LastId}; missing {missing.Count}";
                if (missing.Count > 0 && group is not null)
                {
                    var after = (await grain.Read(group.Cursors[p].Next(), 10, 0).WaitAsync(budget)).Length;
                    line += $" from {missing.Min()} to {missing.Max()}, after the cursor: {missing.Count(m => m > group.Cursors[p])}; a read after the cursor gets {after}";
                }
                output.WriteLine(line);
            }
            catch (Exception e)
            {
                output.WriteLine($"partition {p} info failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
