using Flo.Storage;
using Flo.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Flo.Streams.Tests;

/// <summary>Acknowledged appends survive a silo restart; ids keep growing when the clock goes back.</summary>
public sealed class StreamDurabilityTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private Task<PlatformTestCluster> DeployAsync(FloStorageProvider storage) => PlatformTestCluster.DeployAsync(new PlatformClusterOptions
    {
        Storage = storage,
        ConnectionString = storage == FloStorageProvider.Postgres ? postgres.ConnectionString : null,
    });

    [Theory]
    [InlineData(FloStorageProvider.Sqlite)]
    [InlineData(FloStorageProvider.Postgres)]
    public async Task EveryAcknowledgedAppendIsReadBackAfterARestartAndIdsContinue(FloStorageProvider storage)
    {
        await using var cluster = await DeployAsync(storage);
        var s = $"durable-{Guid.NewGuid():N}";
        List<StreamId> ids;
        await using (var client = await cluster.ConnectAsync())
        {
            await client.Stream.ConfigureAsync(s, StreamSettings.Default with { MaxLength = 1_500 });
            // 20 concurrent appenders: their appends are group-committed together.
            var appended = await Task.WhenAll(Enumerable.Range(0, 20).Select(async w =>
            {
                var mine = new List<StreamId>();
                for (var i = 0; i < 100; i++)
                {
                    mine.Add(await client.Stream.AppendAsync(s, BitConverter.GetBytes(w * 1000 + i)));
                }
                return mine;
            }));
            ids = [.. appended.SelectMany(a => a).Order()];
        }
        var silo = await cluster.RestartSiloAsync(cluster.Silos[0]);
        await using (var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(silo)))
        {
            var read = await client.Stream.ReadAsync(s, new StreamReadOptions(Count: 10_000));
            Assert.Equal(ids[^1_500..], read.Select(r => r.Id));
            var info = await client.Stream.InfoAsync(s);
            Assert.Equal((1_500L, 500L), (info.Length, info.Trimmed));
            Assert.True(await client.Stream.AppendAsync(s, [1]) > ids[^1]);
        }
    }

    [Theory]
    [InlineData(FloStorageProvider.Sqlite)]
    [InlineData(FloStorageProvider.Postgres)]
    public async Task AGroupsCursorPendingEntriesAndDeadLettersSurviveARestart(FloStorageProvider storage)
    {
        await using var cluster = await DeployAsync(storage);
        var s = $"group-{Guid.NewGuid():N}";
        List<StreamId> ids;
        await using (var client = await cluster.ConnectAsync())
        {
            await client.Stream.ConfigureAsync(s, StreamSettings.Default with { Partitions = 2 });
            await client.Stream.GroupJoinAsync(s, "g", "a", new StreamGroupJoinOptions(StartAfter: StreamId.Min));
            ids = [];
            for (var i = 0; i < 5; i++)
            {
                // All in partition 1: a reactivated group must still know the stream has two partitions.
                ids.Add(await client.Stream.AppendAsync(s, [(byte)i], new AppendOptions(PartitionKey: KeyFor(1))));
            }
            var got = await client.Stream.GroupReadAsync(s, "g", "a", new StreamGroupReadOptions(Count: 3));
            await client.Stream.GroupAckAsync(s, "g", got.Take(1));
        }
        var silo = await cluster.RestartSiloAsync(cluster.Silos[0]);
        await using (var client = await cluster.ConnectAsync(PlatformTestCluster.Gateway(silo)))
        {
            var pending = await client.Stream.GroupPendingAsync(s, "g");
            Assert.Equal(ids[1..3], pending.Select(p => p.Id));
            Assert.All(pending, p => Assert.Equal(("a", 1), (p.Consumer, p.Deliveries)));
            // Consumers are rows of the group: they come back too.
            Assert.Equal(["a"], (await client.Stream.GroupInfoAsync(s, "g")).ConsumerIdleMs.Keys);
            // The cursor held: the group goes on after the third record, never skipping or repeating one.
            Assert.Equal(ids[3..], (await client.Stream.GroupReadAsync(s, "g", "b")).Select(r => r.Id));
        }
    }

    /// <summary>A partition key that the default two-partition layout sends to <paramref name="partition"/>.</summary>
    private static string KeyFor(int partition)
        => Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => (int)(StableHash.Of(k) % 2u) == partition);

    [Fact]
    public async Task IdsKeepGrowingWhenTheClockGoesBack()
    {
        var clock = new AdjustableClock();
        AdjustableClockConfigurator.Clock = clock;
        await using var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions { ExtraSiloConfigurator = typeof(AdjustableClockConfigurator) });
        await using var client = await cluster.ConnectAsync();
        var s = $"clock-{Guid.NewGuid():N}";
        var first = await client.Stream.AppendAsync(s, [1]);
        clock.OffsetMs = -60_000;
        var second = await client.Stream.AppendAsync(s, [2]);
        var third = await client.Stream.AppendAsync(s, [3]);
        Assert.Equal(new StreamId(first.TimestampMs, first.Sequence + 1), second);
        Assert.Equal(new StreamId(first.TimestampMs, first.Sequence + 2), third);
        clock.OffsetMs = 60_000;
        var fourth = await client.Stream.AppendAsync(s, [4]);
        Assert.True(fourth.TimestampMs > first.TimestampMs && fourth.Sequence == 0);
        Assert.Equal([first, second, third, fourth], (await client.Stream.ReadAsync(s)).Select(r => r.Id));
    }

    /// <summary>The system clock shifted by an offset that a test moves (timers keep running on real time).</summary>
    private sealed class AdjustableClock : TimeProvider
    {
        private long offsetMs;

        public long OffsetMs
        {
            get => Interlocked.Read(ref offsetMs);
            set => Interlocked.Exchange(ref offsetMs, value);
        }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddMilliseconds(OffsetMs);
    }

    /// <summary>Makes <see cref="Clock"/> the silo's <see cref="TimeProvider"/> (a configurator is created by type, so the instance comes through a static).</summary>
    public sealed class AdjustableClockConfigurator : ISiloConfigurator
    {
        internal static TimeProvider? Clock;

        public void Configure(ISiloBuilder siloBuilder)
            => siloBuilder.Services.AddSingleton(Clock ?? throw new InvalidOperationException("Set AdjustableClockConfigurator.Clock before deploying."));
    }
}
