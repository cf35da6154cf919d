using System.Net.Http.Json;
using System.Text.Json;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Flo.Runtime.Storage;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Runtime.Tests.Membership;

/// <summary>Each silo keeps its own row: Active while it runs (listed over HTTP), Dead after it stopped.</summary>
[Trait("Category", "Membership")]
public sealed class MembershipAgentTests
{
    [Fact]
    public async Task SilosJoinAsActiveAreListedOverHttpAndLeaveAsDead()
    {
        var dir = Path.Combine(Path.GetTempPath(), "flo-members-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new TestClusterOptions { InitialSilosCount = 2, Storage = StorageProviderKind.Sqlite, DataDirectory = dir };
            options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
            await using var cluster = await TestCluster.DeployAsync(options);
            var table = cluster.Silos[0].Services.GetRequiredService<IMembershipTable>();

            var rows = (await table.ReadAllAsync(CancellationToken.None)).Entries;
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal(SiloStatus.Active, r.Entry.Status));
            Assert.Equal(["silo-0", "silo-1"], rows.Select(r => r.Entry.SiloName).Order());

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{cluster.Silos[1].HttpPort}") };
            var listed = await http.GetFromJsonAsync<JsonElement>("/cluster/members");
            var members = listed.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(2, members.Count);
            Assert.Equal("silo-0", members[0].GetProperty("name").GetString());
            Assert.Equal("Active", members[0].GetProperty("status").GetString());
            Assert.Equal(cluster.Silos[0].GatewayPort, members[0].GetProperty("gatewayPort").GetInt32());

            await cluster.StopSiloAsync(cluster.Silos[0]);
            var after = (await table.ReadAllAsync(CancellationToken.None)).Entries.ToDictionary(r => r.Entry.SiloName, r => r.Entry.Status);
            Assert.Equal(SiloStatus.Dead, after["silo-0"]);
            Assert.Equal(SiloStatus.Active, after["silo-1"]);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public async Task ASiloThatCannotReachAnActiveSiloWithAFreshHeartbeatDoesNotJoin()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        options.SiloConfiguration["Cluster:Membership:MaxJoinAttemptTime"] = "00:00:01";
        options.SiloConfiguration["Cluster:Membership:IAmAlivePeriod"] = "00:01:00";
        // Silo 0 must not see the ghost before the test is done (it would probe it and vote it dead).
        options.SiloConfiguration["Cluster:Membership:TableRefreshPeriod"] = "00:01:00";
        await using var cluster = await TestCluster.DeployAsync(options);
        var table = cluster.Silos[0].Services.GetRequiredService<IMembershipTable>();
        // A silo the table says is active and heartbeating, on a port nobody listens on (a firewalled silo port).
        var ghost = new MembershipEntry
        {
            Silo = new SiloAddress("127.0.0.1", 1, 1),
            SiloName = "ghost",
            Status = SiloStatus.Active,
            StartTime = DateTimeOffset.UtcNow,
            IAmAliveTime = DateTimeOffset.UtcNow,
        };
        var version = (await table.ReadAllAsync(CancellationToken.None)).Version;
        Assert.True(await table.InsertRowAsync(ghost, version.Next(), CancellationToken.None));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StartSiloAsync());
        Assert.Contains("ghost", error.Message);
        Assert.Contains("SiloPort", error.Message);
        // It never became active, and the ghost was not voted dead by a silo that could not join.
        var rows = (await table.ReadAllAsync(CancellationToken.None)).Entries.ToDictionary(r => r.Entry.SiloName, r => r.Entry);
        Assert.Equal(SiloStatus.Active, rows["ghost"].Status);
        Assert.Equal(SiloStatus.Dead, rows["silo-1"].Status);
    }

    [Fact]
    public async Task ASiloRestartedOnTheSameAddressAfterACrashRetiresItsPreviousIncarnationAtOnce()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            options.SiloConfiguration["Cluster:Endpoints:SiloPort"] = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port.ToString();
        }
        // Heartbeats far apart: only the restart itself can retire the crashed incarnation quickly.
        options.SiloConfiguration["Cluster:Membership:IAmAlivePeriod"] = "00:05:00";
        await using var cluster = await TestCluster.DeployAsync(options);
        var crashed = cluster.Silos[0].Address!;
        var table = cluster.Silos[0].Services.GetRequiredService<IMembershipTable>();
        await cluster.KillSiloAsync(cluster.Silos[0]);

        var restarted = await cluster.StartSiloAsync();
        Assert.Equal(crashed.Port, restarted.Address!.Port);
        var row = (await table.ReadRowAsync(crashed, CancellationToken.None)).Entries.Single().Entry;
        Assert.Equal(SiloStatus.Dead, row.Status);
        Assert.Empty(row.Suspicions);
    }

    [Fact]
    public async Task ARestartedSiloIsANewIncarnation()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        await using var cluster = await TestCluster.DeployAsync(options);
        var first = cluster.Silos[0].Services.GetRequiredService<SiloDetails>().Address!;
        var table = cluster.Silos[0].Services.GetRequiredService<IMembershipTable>();
        await cluster.StopSiloAsync(cluster.Silos[0]);
        var second = await cluster.StartSiloAsync();
        var address = second.Services.GetRequiredService<SiloDetails>().Address!;
        Assert.NotEqual(first, address);
        var rows = (await table.ReadAllAsync(CancellationToken.None)).Entries;
        Assert.Equal(SiloStatus.Dead, rows.Single(r => r.Entry.Silo == first).Entry.Status);
        Assert.Equal(SiloStatus.Active, rows.Single(r => r.Entry.Silo == address).Entry.Status);
    }

    [Fact]
    public async Task ASiloDeclaredDeadStopsItself()
    {
        var options = new TestClusterOptions();
        options.GrainAssemblies.Add(typeof(CounterGrain).Assembly);
        options.SiloConfiguration["Cluster:Membership:IAmAlivePeriod"] = "00:00:00.100";
        await using var cluster = await TestCluster.DeployAsync(options);
        var silo = cluster.Silos[0];
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var address = silo.Services.GetRequiredService<SiloDetails>().Address!;
        var stopping = silo.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping;
        var stopped = new TaskCompletionSource();
        using var registration = stopping.Register(() => stopped.TrySetResult());

        // Another silo's failure detector declares this one dead.
        var data = await table.ReadRowAsync(address, CancellationToken.None);
        var (entry, etag) = data.Entries.Single();
        Assert.True(await table.UpdateRowAsync(entry with { Status = SiloStatus.Dead }, etag, data.Version.Next(), CancellationToken.None));

        await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
