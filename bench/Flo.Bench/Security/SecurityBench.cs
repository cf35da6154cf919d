using Flo.GrainInterfaces.Diagnostics;
using Flo.Testing;

namespace Flo.Bench.Security;

/// <summary>
/// The cost of security (issue 16): the same work with access tokens and TLS off and on, alternating rounds, ratios to
/// the plain run. FloClient KV gets and puts through the gateway (tokens: a hash and a grant lookup per call on the silo;
/// TLS: every byte encrypted), RESP SET/GET with <c>redis-benchmark</c> (tokens: <c>AUTH</c> once, a grant check per
/// command; TLS: <c>--tls</c>), and silo-to-silo grain calls (TLS between silos; tokens do not apply there). Silos run in
/// this process (memory storage), one cluster per configuration, all up at once so rounds can alternate.
/// </summary>
public static class SecurityBench
{
    private const string Namespace = "bench";
    private static readonly byte[] Value = new byte[100];

    // The machine is shared with builds and tests: a put held past the product's 3 s would end the whole run.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(TimeSpan duration, int[] concurrencies, int rounds)
    {
        using var certificates = new TestCertificates();
        var token = "bench-" + Guid.NewGuid().ToString("N");
        await ClientAndRespAsync(certificates, token, duration, concurrencies, rounds);
        await SiloToSiloAsync(certificates, duration, concurrencies, rounds);
    }

    private static async Task ClientAndRespAsync(TestCertificates certificates, string token, TimeSpan duration, int[] concurrencies, int rounds)
    {
        var tokens = Tokens(token);
        var tls = certificates.SiloTls();
        // "sent-unchecked": the client sends its token to a cluster that checks none (what carrying it costs alone).
        var setups = new (string Name, IReadOnlyDictionary<string, string?> Configuration, bool Send, bool Required, bool Tls)[]
        {
            ("plain", new Dictionary<string, string?>(), false, false, false),
            ("sent-unchecked", new Dictionary<string, string?>(), true, false, false),
            ("tokens", tokens, true, true, false),
            ("tls", tls, false, false, true),
            ("tokens+tls", tokens.Concat(tls).ToDictionary(), true, true, true),
        };
        var clusters = new List<(string Name, PlatformTestCluster Cluster, FloClient Client, bool Token, bool Tls)>();
        try
        {
            foreach (var setup in setups)
            {
                var cluster = await BenchCluster.DeployAsync(new PlatformClusterOptions { Configuration = setup.Configuration, ClientToken = setup.Required ? token : null });
                var client = await cluster.ConnectAsync(options: FloClientOptions.Default with { Namespace = Namespace, Token = setup.Send ? token : null, Tls = cluster.ClientTls, ResponseTimeout = ResponseTimeout });
                clusters.Add((setup.Name, cluster, client, setup.Required, setup.Tls));
            }
            var maxC = concurrencies.Max();
            foreach (var (_, _, client, _, _) in clusters)
            {
                // Every key a get reads exists: each worker writes its own keys one after another (all at once would
                // queue thousands of puts and pass the response timeout on a busy machine).
                await Task.WhenAll(Enumerable.Range(0, maxC).Select(async w =>
                {
                    for (var i = 0; i < 100; i++)
                    {
                        await client.Kv.PutAsync($"bench:{w}:{i}", Value);
                    }
                }));
            }
            foreach (var c in concurrencies)
            {
                await VariantRounds.CompareAsync($"FloClient KV put c={c}", rounds, [.. clusters.Select(v => new Variant(v.Name, () => RateAsync($"flo put ({v.Name})", c, duration,
                    (w, i) => v.Client.Kv.PutAsync($"bench:{w}:{i % 100}", Value))))]);
                await VariantRounds.CompareAsync($"FloClient KV get c={c}", rounds, [.. clusters.Select(v => new Variant(v.Name, () => RateAsync($"flo get ({v.Name})", c, duration,
                    (w, i) => v.Client.Kv.GetAsync($"bench:{w}:{i % 100}"))))]);
            }
            if (!RedisBenchmark.Available())
            {
                Console.WriteLine("(redis-benchmark not found: RESP runs skipped; bench/run.sh security installs redis-tools)");
                return;
            }
            var requests = (int)(20_000 * duration.TotalSeconds);
            foreach (var (clients, pipeline) in new[] { (50, 1), (50, 16) })
            {
                var n = pipeline > 1 ? requests * 4 : requests;
                // A RESP client without tokens configured sends none: "sent-unchecked" would only repeat "plain".
                var resp = clusters.Where(v => v.Name != "sent-unchecked").ToList();
                var results = resp.ToDictionary(v => v.Name, _ => new List<(double Set, double Get)>());
                await VariantRounds.CompareAsync($"RESP SET (redis-benchmark -c {clients} -P {pipeline} -r 10000)", rounds, [.. resp.Select(v => new Variant(v.Name, async () =>
                {
                    var port = PlatformTestCluster.Listeners(v.Cluster.Silos[0]).RespPort;
                    var rate = await RedisBenchmark.RunAsync(port, clients, pipeline, n, v.Token ? token : null, v.Tls ? certificates.CaPath : null);
                    results[v.Name].Add(rate);
                    Console.WriteLine($"redis-benchmark ({v.Name}) -c {clients} -P {pipeline}: SET {rate.Set:N0} req/s, GET {rate.Get:N0} req/s");
                    return rate.Set;
                }))]);
                // The same runs' GETs (each redis-benchmark run measures both).
                var baseline = results["plain"];
                Console.WriteLine($"  => RESP GET (redis-benchmark -c {clients} -P {pipeline}): plain median {Rounds.Median(baseline.Select(r => r.Get)):N0} ops/s");
                foreach (var (name, runs) in results.Where(r => r.Key != "plain"))
                {
                    var ratios = runs.Zip(baseline, (v, b) => v.Get / b.Get).ToList();
                    Console.WriteLine($"     {name}: median {Rounds.Median(runs.Select(r => r.Get)):N0} ops/s, {name}/plain median ratio {Rounds.Median(ratios):0.00}x (rounds: {string.Join(", ", ratios.Select(x => x.ToString("0.00")))})");
                }
            }
        }
        finally
        {
            foreach (var (_, cluster, client, _, _) in clusters)
            {
                await client.DisposeAsync();
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>Grain calls from one silo to grains another silo hosts, over plain and TLS silo-to-silo connections.</summary>
    private static async Task SiloToSiloAsync(TestCertificates certificates, TimeSpan duration, int[] concurrencies, int rounds)
    {
        await using var plain = await BenchCluster.DeployAsync(new PlatformClusterOptions { Silos = 2 });
        await using var tls = await BenchCluster.DeployAsync(new PlatformClusterOptions { Silos = 2, Configuration = certificates.SiloTls() });
        foreach (var c in concurrencies)
        {
            var targets = new Dictionary<string, IPingGrain[]>();
            foreach (var (name, cluster) in new[] { ("plain", plain), ("tls", tls) })
            {
                var factory = PlatformTestCluster.GrainFactory(cluster.Silos[0]);
                targets[name] = [.. (await ClusterBench.KeysOnAsync(cluster, cluster.Silos[1], c, $"remote{c}")).Select(k => factory.GetGrain<IPingGrain>(k))];
            }
            await VariantRounds.CompareAsync($"silo->silo call c={c}", rounds, [.. targets.Select(t => new Variant(t.Key, () => RateAsync($"silo->silo call ({t.Key})", c, duration,
                (w, i) => t.Value[w].Ping((int)i))))]);
        }
    }

    private static async Task<double> RateAsync(string name, int c, TimeSpan duration, Func<int, long, Task> operation)
    {
        var result = await LoadRunner.RunAsync(name, c, duration, operation);
        Console.WriteLine(result);
        return result.PerSecond;
    }

    /// <summary>A read-write token on the bench's namespaces (and <c>default</c>, which redis-benchmark writes), beside a few others.</summary>
    private static Dictionary<string, string?> Tokens(string token)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Cluster:Security:Tokens:0:Name"] = "bench",
            ["Cluster:Security:Tokens:0:Token"] = token,
            ["Cluster:Security:Tokens:0:Access"] = "ReadWrite",
            ["Cluster:Security:Tokens:0:Namespaces:0"] = Namespace,
            ["Cluster:Security:Tokens:0:Namespaces:1"] = "default",
        };
        for (var i = 1; i <= 8; i++)
        {
            configuration[$"Cluster:Security:Tokens:{i}:Token"] = $"other-{i}-{Guid.NewGuid():N}";
            configuration[$"Cluster:Security:Tokens:{i}:Namespaces:0"] = $"tenant{i}";
        }
        return configuration;
    }
}
