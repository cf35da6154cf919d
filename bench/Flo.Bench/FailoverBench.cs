using System.Diagnostics;
using Flo.Hosting;
using Flo.Kv;
using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flo.Bench;

/// <summary>
/// Failover on real processes: three silo executables started by <c>scripts/local-cluster.sh</c> (membership, reminders
/// and state in a PostgreSQL database of their own), a client calling KV keys, and <c>kill -9</c> of silo 2 while a KV key
/// lives there (found with <c>IManagementGrain.GetActivationAddress</c>). Measured from the kill: (a) the first answer of
/// that key (its grain reactivated on another silo from storage), (b) the end of the last failed or slow (&gt; 500 ms) call
/// of a loop writing 30 keys spread over the silos (after it, the loop carries on), and the loop's longest stall.
/// Client variants: a static list of all three gateways; the cluster's membership table (<c>AddFloClient</c> with
/// <c>MembershipConnectionString</c>); and a static list naming only silo 2 (the killed silo is its only gateway).
/// </summary>
public static class FailoverBench
{
    private static readonly byte[] Value = new byte[100];

    private sealed record Variant(string Name, Func<Ctx, Task<(FloClient Client, IAsyncDisposable Owner)>> Connect);

    private sealed record Ctx(string Repo, string Dir, int Offset, string ClusterId, string Postgres)
    {
        public int Gateway(int i) => 9000 + Offset + i;

        public int SiloPort(int i) => 11111 + Offset + i;
    }

    public static async Task RunAsync(string postgres, int runs, int offset, TimeSpan window, string[] variants, TimeSpan callTimeout)
    {
        var repo = FindRepo();
        await using var database = await BenchDatabase.CreateAsync(postgres);
        await FloSchema.ApplyPostgresAsync(database.ConnectionString);
        var ctx = new Ctx(repo, Path.Combine(Path.GetTempPath(), "flo-failover-" + Guid.NewGuid().ToString("N")[..8]), offset,
            "failover-" + Guid.NewGuid().ToString("N")[..8], database.ConnectionString);
        var all = new[]
        {
            new Variant("all-gateways", async c => Own(await FloClient.ConnectAsync(string.Join(",", Enumerable.Range(0, 3).Select(i => $"127.0.0.1:{c.Gateway(i)}")), Options(c)))),
            new Variant("membership-table", ConnectThroughMembershipAsync),
            new Variant("only-gateway", async c => Own(await FloClient.ConnectAsync($"127.0.0.1:{c.Gateway(2)}", Options(c)))),
        };
        try
        {
            Console.WriteLine($"per-call deadline: {(callTimeout > TimeSpan.Zero ? $"{callTimeout.TotalMilliseconds:0} ms" : "none (the client's response timeout)")}, window {window.TotalSeconds:0} s after each kill");
            Console.WriteLine($"starting 3 silo processes (cluster {ctx.ClusterId}, gateways {ctx.Gateway(0)}-{ctx.Gateway(2)}, logs in {ctx.Dir})");
            await ScriptAsync(ctx, "start", "3");
            foreach (var variant in all.Where(v => variants.Contains(v.Name)))
            {
                var moved = new List<double>();
                var carriesOn = new List<double>();
                var stalls = new List<double>();
                for (var run = 0; run < runs; run++)
                {
                    var (a, b, stall) = await OneRunAsync(ctx, variant, run, window, callTimeout);
                    moved.Add(a);
                    carriesOn.Add(b);
                    stalls.Add(stall);
                    Console.WriteLine($"{variant.Name} run {run + 1}: moved key answers after {Show(a)}, loop carries on after {Show(b)}, longest loop stall {Show(stall)}");
                    await ScriptAsync(ctx, "restart", "2");
                    await WaitForActiveAsync(ctx, 3, TimeSpan.FromSeconds(60));
                }
                Console.WriteLine($"  => {variant.Name}: (a) moved key answers: median {Show(Rounds.Median(moved))}, max {Show(moved.Max())}; (b) loop carries on: median {Show(Rounds.Median(carriesOn))}, max {Show(carriesOn.Max())}; longest stall median {Show(Rounds.Median(stalls))}  ({runs} runs, target < 5 s)");
            }
        }
        finally
        {
            await ScriptAsync(ctx, "stop");
        }
    }

    private static string Show(double ms) => double.IsPositiveInfinity(ms) ? "never (within the window)" : $"{ms:N0} ms";

    private static FloClientOptions Options(Ctx c) => FloClientOptions.Default with { ClusterId = c.ClusterId, ServiceId = "flo" };

    private static (FloClient, IAsyncDisposable) Own(FloClient client) => (client, client);

    private static async Task<(FloClient, IAsyncDisposable)> ConnectThroughMembershipAsync(Ctx c)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddFloClient(o =>
        {
            o.MembershipConnectionString = c.Postgres;
            o.ClusterId = c.ClusterId;
            o.ServiceId = "flo";
        });
        var host = builder.Build();
        await host.StartAsync();
        return (host.Services.GetRequiredService<FloClient>(), new HostOwner(host));
    }

    private sealed class HostOwner(IHost host) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private static async Task<(double Moved, double CarriesOn, double Stall)> OneRunAsync(Ctx ctx, Variant variant, int run, TimeSpan window, TimeSpan callTimeout)
    {
        var (client, owner) = await variant.Connect(ctx);
        try
        {
            var management = client.Grains.GetGrain<IManagementGrain>(0);
            async Task<int> PortOfAsync(string key)
            {
                var address = await management.GetActivationAddress(client.Grains.GetGrain<IKvKeyGrain>(KvKeys.GrainKey("default", key)));
                return address?.Endpoint.Port ?? 0;
            }

            // A key whose grain lives on silo 2, and 30 keys for the loop (spread by placement over the three silos).
            string? movedKey = null;
            for (var i = 0; movedKey is null; i++)
            {
                if (i > 500)
                {
                    throw new InvalidOperationException("No KV key was placed on silo 2.");
                }
                var key = $"failover:{run}:{variant.Name}:{i}";
                await client.Kv.PutAsync(key, Value);
                if (await PortOfAsync(key) == ctx.SiloPort(2))
                {
                    movedKey = key;
                }
            }
            var loopKeys = Enumerable.Range(0, 30).Select(i => $"loop:{run}:{variant.Name}:{i}").ToArray();
            foreach (var k in loopKeys)
            {
                await client.Kv.PutAsync(k, Value);
            }
            var onSilo2 = 0;
            foreach (var k in loopKeys)
            {
                onSilo2 += await PortOfAsync(k) == ctx.SiloPort(2) ? 1 : 0;
            }

            // The loop: one caller writing the 30 keys in turn; every call's start, end and outcome are kept.
            using var stop = new CancellationTokenSource();
            var calls = new List<(long Start, long End, bool Ok)>();
            var errors = new Dictionary<string, int>();
            void Count(Exception e)
            {
                lock (errors)
                {
                    var name = e.GetType().Name;
                    errors[name] = errors.GetValueOrDefault(name) + 1;
                }
            }
            // A caller with a deadline per call (0: none, the client's own response timeout applies).
            CancellationTokenSource Deadline() => callTimeout > TimeSpan.Zero ? new CancellationTokenSource(callTimeout) : new CancellationTokenSource();
            var loop = Task.Run(async () =>
            {
                for (long i = 0; !stop.IsCancellationRequested; i++)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    var ok = true;
                    try
                    {
                        using var deadline = Deadline();
                        await client.Kv.PutAsync(loopKeys[i % loopKeys.Length], Value, cancellationToken: deadline.Token).WaitAsync(TimeSpan.FromSeconds(45));
                    }
                    catch (Exception e)
                    {
                        ok = false;
                        Count(e);
                    }
                    lock (calls)
                    {
                        calls.Add((t0, Stopwatch.GetTimestamp(), ok));
                    }
                    if (!ok)
                    {
                        await Task.Delay(10);
                    }
                }
            });
            await Task.Delay(500);

            var pid = int.Parse(await File.ReadAllTextAsync(Path.Combine(ctx.Dir, "silo-2.pid")));
            var killedAt = Stopwatch.GetTimestamp();
            Process.GetProcessById(pid).Kill();
            File.Delete(Path.Combine(ctx.Dir, "silo-2.pid"));

            // (a) the moved key answers (a read: the client resends it safely until its deadline).
            var moved = double.PositiveInfinity;
            while (Stopwatch.GetElapsedTime(killedAt) < window)
            {
                try
                {
                    using var deadline = Deadline();
                    var entry = await client.Kv.GetAsync(movedKey, cancellationToken: deadline.Token).WaitAsync(window);
                    if (entry is not null)
                    {
                        moved = Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds;
                        break;
                    }
                }
                catch (Exception e)
                {
                    Count(e);
                    await Task.Delay(10);
                }
            }
            var remaining = window - Stopwatch.GetElapsedTime(killedAt);
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining);
            }
            stop.Cancel();
            await Task.WhenAny(loop, Task.Delay(TimeSpan.FromSeconds(5)));

            (long Start, long End, bool Ok)[] seen;
            lock (calls)
            {
                seen = [.. calls];
            }
            double Ms(long ticks) => (ticks - killedAt) * 1000.0 / Stopwatch.Frequency;
            var slow = Stopwatch.Frequency / 2;
            var bad = seen.Where(c => c.End > killedAt && (!c.Ok || c.End - c.Start > slow)).ToArray();
            var goodAfter = seen.Where(c => c.Ok && c.End > killedAt).ToArray();
            // Carries on: the last bad call ended and a good call followed it; never if the loop was still failing at the end.
            double carriesOn = bad.Length == 0 ? 0 : goodAfter.Any(g => g.Start >= bad[^1].End) ? Ms(bad[^1].End) : double.PositiveInfinity;
            var successes = seen.Where(c => c.Ok).Select(c => c.End).Prepend(killedAt).Append(Stopwatch.GetTimestamp()).Where(t => t >= killedAt).Order().ToArray();
            var stall = successes.Zip(successes.Skip(1), (x, y) => (y - x) * 1000.0 / Stopwatch.Frequency).DefaultIfEmpty(0).Max();
            Console.WriteLine($"  ({variant.Name} run {run + 1}: {onSilo2}/30 loop keys on silo 2; loop calls after the kill: {seen.Count(c => c.End > killedAt)}, failed {seen.Count(c => c.End > killedAt && !c.Ok)}; errors: {string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"))})");
            return (moved, carriesOn, stall);
        }
        finally
        {
            await owner.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(_ => { });
        }
    }

    /// <summary>Waits until the membership table lists <paramref name="count"/> active silos.</summary>
    private static async Task WaitForActiveAsync(Ctx ctx, int count, TimeSpan timeout)
    {
        var (client, owner) = await ConnectThroughMembershipAsync(ctx);
        try
        {
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < timeout)
            {
                try
                {
                    var hosts = await client.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                    if (hosts.Count == count)
                    {
                        return;
                    }
                }
                catch (Exception)
                {
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"The cluster did not reach {count} active silos.");
        }
        finally
        {
            await owner.DisposeAsync();
        }
    }

    private static async Task ScriptAsync(Ctx ctx, params string[] args)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(ctx.Repo, "scripts", "local-cluster.sh"), .. args])
        {
            WorkingDirectory = ctx.Repo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FLO_LOCAL_DIR"] = ctx.Dir;
        start.Environment["FLO_PORT_OFFSET"] = ctx.Offset.ToString();
        start.Environment["FLO_CLUSTER_ID"] = ctx.ClusterId;
        start.Environment["FLO_POSTGRES"] = ctx.Postgres;
        start.Environment["FLO_SKIP_BUILD"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = (await stdout).Trim();
        if (args[0] != "start" && output.Length > 0)
        {
            Console.WriteLine("  " + output.Replace("\n", "\n  "));
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"local-cluster.sh {string.Join(' ', args)} failed ({process.ExitCode}): {output}\n{await stderr}");
        }
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "scripts", "local-cluster.sh")))
            {
                return d.FullName;
            }
        }
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "scripts", "local-cluster.sh")))
            {
                return d.FullName;
            }
        }
        throw new InvalidOperationException("Run from the repository (scripts/local-cluster.sh not found).");
    }
}
