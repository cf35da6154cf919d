using System.Collections.Concurrent;
using Flo.Endpoints;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestingHost;
using Xunit.Abstractions;

namespace Flo.Streams.Tests;

/// <summary>A silo killed under appends and a consuming group: every acknowledged append reaches the group, in partition order.</summary>
[Trait("Category", "Fault")]
public sealed class StreamFaultTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private static bool Transient(Exception e) => e is SiloUnavailableException or GrainCallTimeoutException or InvalidOperationException or InconsistentStateException;

    [Fact]
    public async Task EveryAcknowledgedAppendIsDeliveredToTheGroupInPartitionOrderAcrossASiloKill()
    {
        var options = new TestClusterOptions { InitialSilosCount = 3, Storage = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };
        options.SiloBuilders.Add(silo => silo.AddFloPlatform());
        await using var cluster = await TestCluster.DeployAsync(options);
        await cluster.WaitForMembershipToSettleAsync();
        await using var client = await FloClient.ConnectAsync(string.Join(",", cluster.Silos.Select(s => s.GatewayEndpoint)));
        const string s = "fault", g = "workers";
        const int producers = 5, consumers = 5, perProducer = 20_000, killAfter = 30_000, partitions = 2;
        await client.Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = partitions, MaxLength = 0 });
        await client.Stream.GroupJoinAsync(s, g, "c0", new StreamGroupJoinOptions(StartAfter: StreamId.Min, Settings: StreamGroupSettings.Default with { AckTimeoutMs = 5_000, MaxDeliveries = 100 }));

        var appended = new ConcurrentDictionary<(int, StreamId), byte>();
        var delivered = new ConcurrentDictionary<(int, StreamId), int>();
        var outOfOrder = 0;
        var duplicatesWithoutCount = 0;
        var producerErrors = 0;
        var consumerErrors = 0;
        var producersDone = false;
        var killed = new TaskCompletionSource();
        var errorKinds = new ConcurrentDictionary<string, int>();
        void Note(Exception e) => errorKinds.AddOrUpdate($"{e.GetType().Name}: {e.Message[..Math.Min(140, e.Message.Length)]}", 1, (_, n) => n + 1);

        var producing = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                try
                {
                    var key = $"key-{p}";
                    var id = await client.Stream.AppendAsync(s, BitConverter.GetBytes(i), new AppendOptions(PartitionKey: key));
                    appended.TryAdd((new StreamApi(client.Grains).PartitionFor(key, partitions), id), 0);
                    if (appended.Count == killAfter)
                    {
                        killed.TrySetResult();
                    }
                }
                catch (Exception e) when (Transient(e))
                {
                    Interlocked.Increment(ref producerErrors);
                    Note(e);
                }
            }
        })).ToList();

        using var finish = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var consuming = Enumerable.Range(0, consumers).Select(c => Task.Run(async () =>
        {
            var consumer = $"c{c}";
            var lastFirstDelivery = new StreamId[partitions];
            while (!finish.IsCancellationRequested)
            {
                IReadOnlyList<StreamRecord> batch;
                try
                {
                    batch = await client.Stream.GroupReadAsync(s, g, consumer, new StreamGroupReadOptions(Count: 100, BlockMs: 500));
                }
                catch (Exception e) when (Transient(e))
                {
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                    continue;
                }
                if (batch.Count == 0)
                {
                    if (Volatile.Read(ref producersDone))
                    {
                        var info = await client.Stream.GroupInfoAsync(s, g);
                        if (info.Pending == 0 && info.Lag == 0)
                        {
                            return;
                        }
                    }
                    continue;
                }
                foreach (var r in batch)
                {
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
                    await client.Stream.GroupAckAsync(s, g, batch);
                }
                catch (Exception e) when (Transient(e))
                {
                    // Unacked records come back after the ack timeout.
                    Interlocked.Increment(ref consumerErrors);
                    Note(e);
                }
            }
        })).ToList();

        await killed.Task.WaitAsync(TimeSpan.FromMinutes(3));
        var view = cluster.Silos[0].Membership.CurrentView;
        var owners = Enumerable.Range(0, partitions).Select(p => view.OwnerOf(new GrainId("stream", StreamLimits.PartitionKey("default", s, p))))
            .Append(view.OwnerOf(new GrainId("streamgroup", $"default/{s}/{g}"))).ToList();
        // A silo that hosts a partition or the group (the client knows every gateway, so any may go).
        var victim = cluster.Silos.Skip(1).FirstOrDefault(x => owners.Contains(x.Address)) ?? cluster.Silos[0];
        await cluster.KillSiloAsync(victim);
        await Task.WhenAll(producing);
        Volatile.Write(ref producersDone, true);
        await Task.WhenAll(consuming);
        var drained = !finish.IsCancellationRequested;

        var redelivered = delivered.Count(d => d.Value > 1);
        output.WriteLine($"appended (acknowledged) {appended.Count}, delivered {delivered.Count}, redelivered {redelivered}, producer errors {producerErrors}, consumer errors {consumerErrors}");
        foreach (var (kind, count) in errorKinds.OrderByDescending(k => k.Value).Take(8))
        {
            output.WriteLine($"{count} x {kind}");
        }
        var skipped = appended.Keys.Where(k => !delivered.ContainsKey(k)).ToList();
        if (skipped.Count > 0 || !drained)
        {
            var groupInfo = await client.Stream.GroupInfoAsync(s, g);
            output.WriteLine($"group cursors {string.Join(", ", groupInfo.Cursors)}, pending {groupInfo.Pending}, lag {groupInfo.Lag}");
            for (var p = 0; p < partitions; p++)
            {
                var grain = client.Grains.GetGrain<IStreamPartitionGrain>(StreamLimits.PartitionKey("default", s, p));
                var info = await grain.Info();
                var missing = skipped.Where(k => k.Item1 == p).Select(k => k.Item2).ToList();
                output.WriteLine($"partition {p}: length {info.Length}, first {info.FirstId}, last {info.LastId}; missing {missing.Count}"
                    + (missing.Count > 0 ? $" from {missing.Min()} to {missing.Max()}, after the cursor: {missing.Count(m => m > groupInfo.Cursors[p])}; a read after the cursor gets {(await grain.Read(groupInfo.Cursors[p].Next(), 10, 0)).Length}" : ""));
            }
            foreach (var silo in cluster.Silos.Where(x => x.IsRunning))
            {
                var v = silo.Membership.CurrentView;
                output.WriteLine($"{silo.Name} ({silo.Address}) view {v.Version} members {string.Join(" ", v.ActiveMembers.Select(m => m.SiloName))}: p0 at {v.OwnerOf(new GrainId("stream", StreamLimits.PartitionKey("default", s, 0)))}, p1 at {v.OwnerOf(new GrainId("stream", StreamLimits.PartitionKey("default", s, 1)))}, group at {v.OwnerOf(new GrainId("streamgroup", $"default/{s}/{g}"))}");
            }
        }
        Assert.True(drained, "the group did not drain the stream in time");
        Assert.True(skipped.Count == 0, $"{skipped.Count} acknowledged appends never reached the group, e.g. {string.Join(", ", skipped.Take(5))}");
        Assert.Equal(0, outOfOrder);
        Assert.Equal(0, duplicatesWithoutCount);
        Assert.True(appended.Count >= producers * perProducer - producerErrors);
        var final = await client.Stream.InfoAsync(s);
        Assert.True(final.Length >= appended.Count);
    }
}
