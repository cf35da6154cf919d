using System.Diagnostics;
using Flo.Client;
using Flo.Runtime.Hosting;
using Flo.Runtime.Tests.Infrastructure;
using Flo.TestGrains.Runtime;
using Flo.Runtime.Membership;
using Flo.TestingHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Cluster;

/// <summary>Silos that die, leave and join a three-silo cluster over PostgreSQL.</summary>
[Trait("Category", "Fault")]
public sealed class ClusterFailoverTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task AKilledSilosGrainsAnswerFromAnotherSiloWithTheirLastStateAndTheClientFailsOver()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
        var victim = cluster.Silos[0];
        await using var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [victim.GatewayEndpoint], ResponseTimeout = TimeSpan.FromSeconds(15) });
        Assert.Equal(victim.Name, client.ConnectedSilo);

        var keys = Enumerable.Range(0, 60).Select(i => $"kill-{i}-{Guid.NewGuid():N}").ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i + 1, await client.GetGrain<ICounterGrain>(keys[i]).Add(i + 1));
        }
        var onVictim = keys.Where(k => ClusterTestSupport.OwnerName(cluster, k) == victim.Name).ToArray();
        Assert.NotEmpty(onVictim);

        var killed = Stopwatch.StartNew();
        await cluster.KillSiloAsync(victim);
        // Until the others declare the victim dead, its grains are unreachable: calls fail with typed errors and the
        // test tries again (this client does not retry non-idempotent calls by itself).
        var firstAnswer = TimeSpan.Zero;
        foreach (var key in onVictim)
        {
            var value = await UntilAnsweredAsync(() => client.GetGrain<ICounterGrain>(key).Get());
            if (firstAnswer == TimeSpan.Zero)
            {
                firstAnswer = killed.Elapsed;
            }
            Assert.Equal(Array.IndexOf(keys, key) + 1, value);
            Assert.NotEqual(victim.Name, await client.GetGrain<ICounterGrain>(key).GetSilo());
        }
        var settled = await cluster.WaitForMembershipToSettleAsync();
        output.WriteLine($"kill to first answer from the new owner: {firstAnswer.TotalMilliseconds:0} ms; membership settled after {killed.Elapsed.TotalMilliseconds:0} ms");
        Assert.NotEqual(victim.Name, client.ConnectedSilo);
        Assert.NotNull(client.ConnectedSilo);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i + 1, await client.GetGrain<ICounterGrain>(keys[i]).Get());
        }
    }

    [Fact]
    public async Task AGracefulStopMovesTheSilosGrainsWithoutAFailedCall()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
        var leaving = cluster.Silos[2];
        await using var client = await ClusterClient.ConnectAsync(new ClusterClientOptions { Gateways = [cluster.Silos[0].GatewayEndpoint], ResponseTimeout = TimeSpan.FromSeconds(15) });
        var keys = Enumerable.Range(0, 40).Select(i => $"leave-{i}-{Guid.NewGuid():N}").ToArray();
        Assert.Contains(keys, k => ClusterTestSupport.OwnerName(cluster, k) == leaving.Name);
        var acked = new int[keys.Length];
        var failures = new List<Exception>();
        using var stop = new CancellationTokenSource();
        var load = keys.Select(async (key, k) =>
        {
            var grain = client.GetGrain<ICounterGrain>(key);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await grain.Add(1);
                    acked[k]++;
                }
                catch (Exception e)
                {
                    lock (failures)
                    {
                        failures.Add(e);
                    }
                }
            }
        }).ToArray();

        await Task.Delay(300);
        await cluster.StopSiloAsync(leaving);
        await cluster.WaitForMembershipToSettleAsync();
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.All(acked, a => Assert.True(a > 0));
        for (var k = 0; k < keys.Length; k++)
        {
            Assert.Equal(acked[k], await client.GetGrain<ICounterGrain>(keys[k]).Get());
            Assert.NotEqual(leaving.Name, await client.GetGrain<ICounterGrain>(keys[k]).GetSilo());
        }
    }

    [Fact]
    public async Task UnderChurnNoCallIsLostWithoutAnErrorAndMembershipConverges()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
        await using var client = await cluster.ConnectClientAsync(new ClusterClientOptions { ResponseTimeout = TimeSpan.FromSeconds(15) });
        var keys = Enumerable.Range(0, 24).Select(i => $"churn-{i}-{Guid.NewGuid():N}").ToArray();
        var acked = new int[keys.Length];
        var attempted = new int[keys.Length];
        var errors = 0;
        using var stop = new CancellationTokenSource();
        var load = keys.Select(async (key, k) =>
        {
            while (!stop.IsCancellationRequested)
            {
                attempted[k]++;
                try
                {
                    await client.GetGrain<ICounterGrain>(key).Add(1);
                    acked[k]++;
                }
                catch (FloException)
                {
                    // Typed: the caller knows. Untyped exceptions fail the test through Task.WhenAll.
                    Interlocked.Increment(ref errors);
                    await Task.Delay(20);
                }
            }
        }).ToArray();

        var started = Stopwatch.StartNew();
        await Task.Delay(300);
        await cluster.StartSiloAsync();
        await Task.Delay(300);
        await cluster.KillSiloAsync(cluster.Silos[1]);
        await Task.Delay(300);
        await cluster.StopSiloAsync(cluster.Silos[2]);
        await cluster.StartSiloAsync();
        var converged = await cluster.WaitForMembershipToSettleAsync();
        output.WriteLine($"membership converged {converged.TotalMilliseconds:0} ms after the last change ({started.Elapsed.TotalSeconds:0.0} s of churn)");
        await Task.Delay(500);
        await stop.CancelAsync();
        // Every call returned (a value or a typed error): none hangs past the client's timeout.
        await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3, cluster.Silos.Count(s => s.IsRunning));
        Assert.All(cluster.Silos.Where(s => s.IsRunning), s => Assert.Equal(SiloStatus.Active, s.Status));
        output.WriteLine($"{acked.Sum()} calls acknowledged, {errors} typed errors");
        Assert.True(acked.Sum() > keys.Length);
        for (var k = 0; k < keys.Length; k++)
        {
            var value = await UntilAnsweredAsync(() => client.GetGrain<ICounterGrain>(keys[k]).Get());
            Assert.InRange(value, acked[k], attempted[k]);
        }
    }

    [Fact]
    public async Task ASiloThatOneSiloCannotProbeIsNotVotedDeadBecauseAnotherReachesIt()
    {
        await using var cluster = await ClusterTestSupport.DeployAsync(postgres.ConnectionString, 3);
        var (a, c) = (cluster.Silos[0], cluster.Silos[2]);
        // The link a -> c is broken for probes; b still reaches c, so a's indirect probe through b succeeds.
        c.Services.GetRequiredService<SiloDetails>().IgnoreProbesFrom(a.Address!);
        var versionBefore = a.Membership.CurrentView.Version;
        // Ten probe periods: a misses c three times in a row again and again.
        await Task.Delay(TimeSpan.FromMilliseconds(2500));

        var table = a.Services.GetRequiredService<IMembershipTable>();
        var row = (await table.ReadRowAsync(c.Address!, CancellationToken.None)).Entries.Single().Entry;
        Assert.Equal(SiloStatus.Active, row.Status);
        Assert.Empty(row.Suspicions);
        Assert.Equal(versionBefore, (await table.ReadAllAsync(CancellationToken.None)).Version.Version);

        // Without the indirect probe (only a and c left, nobody to ask), a votes and c is declared dead.
        await cluster.StopSiloAsync(cluster.Silos[1]);
        var deadline = Stopwatch.StartNew();
        while ((await table.ReadRowAsync(c.Address!, CancellationToken.None)).Entries.Single().Entry.Status != SiloStatus.Dead)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "c was never declared dead");
            await Task.Delay(50);
        }
        // And c, finding itself declared dead, stops serving.
        while (c.Status == SiloStatus.Active)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), "c kept running after it was declared dead");
            await Task.Delay(50);
        }
    }

    private static async Task<T> UntilAnsweredAsync<T>(Func<Task<T>> call)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await call();
            }
            catch (FloException) when (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(25);
            }
        }
    }
}
