using System.Diagnostics;
using System.Text;
using Flo.Security;
using Flo.GrainInterfaces.Diagnostics;
using Xunit.Abstractions;

namespace Flo.Security.Tests;

/// <summary>
/// TLS between silos and on the gateway, RESP and HTTP: a client with the cluster's certificates works and silos call
/// each other over TLS; a plain client, a client without a certificate, one whose certificate expired and one that does
/// not trust the silos' authority each fail with an error that says why, and none of them changes anything.
/// </summary>
[Trait("Category", "Security")]
public sealed class TlsTests(TlsCluster cluster, ITestOutputHelper output) : IClassFixture<TlsCluster>
{
    // A refused client fails when its connect deadline passes, saying what the attempts meanwhile ran into: long enough
    // for attempts to fail on a loaded machine, short enough to keep the tests quick.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ATlsClientWorksAndSilosTalkOverTls()
    {
        await using var client = await cluster.Cluster.ConnectAsync(options: PlatformTestCluster.DefaultClientOptions with { Tls = cluster.ClientTls });
        var key = $"tls-{Guid.NewGuid():N}";
        await client.Kv.PutAsync(key, "over tls"u8.ToArray());
        Assert.Equal("over tls", Encoding.UTF8.GetString((await client.Kv.GetAsync(key))!.Value));
        // A grain on the second silo called from the first: the call crosses the silo-to-silo connection (TLS both ways).
        var (name, host) = await cluster.Cluster.PlaceAwayFromAsync(cluster.Silo, async (n, grains) =>
        {
            var grain = grains.GetGrain<IPingGrain>(n);
            await grain.Ping(1);
            return grain;
        });
        Assert.Equal(host.SiloAddress.ToString(), await PlatformTestCluster.GrainFactory(cluster.Silo).GetGrain<IPingGrain>(name).Where());
        Assert.Equal(7, await PlatformTestCluster.GrainFactory(cluster.Silo).GetGrain<IPingGrain>(name).Ping(7));
    }

    [Fact]
    public async Task APlainClientFailsClearly()
    {
        var error = await RefusedAsync(PlatformTestCluster.DefaultClientOptions);
        Assert.Contains("closed the connection during Orleans' handshake", error.Message);
        Assert.Contains("set FloClientOptions.Tls", error.Message);
    }

    [Fact]
    public async Task AClientWithoutACertificateIsRefusedWhenTheGatewayRequiresOne()
    {
        var error = await RefusedAsync(PlatformTestCluster.DefaultClientOptions with { Tls = new FloClientTlsOptions { CaPath = cluster.Certificates.CaPath } });
        Assert.Contains("refuses the client's certificate", error.Message);
    }

    [Fact]
    public async Task AnExpiredClientCertificateIsRefused()
    {
        // The client refuses to present it at all, naming the date.
        var expired = cluster.ClientTls with { CertificatePath = cluster.Certificates.ExpiredCertificatePath, KeyPath = cluster.Certificates.ExpiredKeyPath };
        var before = await WriteMarkerAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.Cluster.ConnectAsync(options: PlatformTestCluster.DefaultClientOptions with { Tls = expired }));
        Assert.Contains("'CN=flo-expired' expired on", error.Message);
        // A client that presents it anyway (Orleans' own TLS, no checks of ours) is refused by the silo.
        var refused = await ExpiredCertificateClient.RefusedAsync(cluster);
        output.WriteLine(refused.ToString());
        await UnchangedAsync(before);
    }

    [Fact]
    public async Task AClientThatDoesNotTrustTheSilosAuthorityRefusesThem()
    {
        var error = await RefusedAsync(PlatformTestCluster.DefaultClientOptions with { Tls = cluster.ClientTls with { CaPath = cluster.Certificates.OtherCaPath } });
        Assert.Contains("refused the silo's TLS certificate", error.Message);
        Assert.Contains("CN=flo-silo", error.Message);
    }

    [Fact]
    public async Task RespRunsOverTlsAndAPlainConnectionGetsNothing()
    {
        var port = PlatformTestCluster.Listeners(cluster.Silo).RespPort;
        var key = $"tls:resp:{Guid.NewGuid():N}";
        await using (var resp = await RespConnection.OpenTlsAsync(port, cluster.Certificates.Authority))
        {
            Assert.Equal("+PONG", await resp.SendAsync("PING"));
            Assert.Equal("+OK", await resp.SendAsync("SET", key, "secret"));
            Assert.Equal("secret", await resp.SendAsync("GET", key));
            // This cluster has no tokens: AUTH answers as a Redis without a password does.
            Assert.StartsWith("-ERR AUTH <password> called without any password configured", await resp.SendAsync("AUTH", "whatever-token"));
        }
        // redis-cli, as docs/security.md shows it.
        Assert.Equal("secret", await RedisCli.RunAsync(port, "--tls", "--cacert", cluster.Certificates.CaPath, "GET", key));
        // Plain RESP on the TLS port: the bytes are no TLS handshake, so the silo closes the connection and runs nothing.
        await using (var plain = await RespConnection.OpenAsync(port))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => plain.SendAsync("SET", key, "plain"));
        }
        var plainCli = await RedisCli.RunAsync(port, "SET", key, "plain-cli");
        output.WriteLine($"redis-cli without --tls: {plainCli}");
        Assert.DoesNotContain("OK", plainCli);
        // A redis-cli that does not trust the silos' authority refuses the silo.
        var distrust = await RedisCli.RunAsync(port, "--tls", "--cacert", cluster.Certificates.OtherCaPath, "SET", key, "untrusted");
        output.WriteLine($"redis-cli with another authority: {distrust}");
        Assert.Contains("certificate verify failed", distrust);
        Assert.Equal("secret", await RedisCli.RunAsync(port, "--tls", "--cacert", cluster.Certificates.CaPath, "GET", key));
    }

    [Fact]
    public async Task HttpsServesTheApiAndPlainHttpGetsNothing()
    {
        var port = PlatformTestCluster.Listeners(cluster.Silo).HttpPort;
        var key = $"tls-http-{Guid.NewGuid():N}";
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
                certificate is not null && FloCertificates.IsTrusted(certificate, chain, errors, [cluster.Certificates.Authority], out string? _),
        };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://localhost:{port}") };
        Assert.Equal("Healthy", await https.GetStringAsync("/health/live"));
        (await https.PutAsync($"/v1/ns/default/kv/{key}", new StringContent("secret"))).EnsureSuccessStatusCode();
        // Plain HTTP on the HTTPS port gets no HTTP answer, and its PUT does not happen.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var plain = await Assert.ThrowsAsync<HttpRequestException>(() => http.PutAsync($"/v1/ns/default/kv/{key}", new StringContent("plain")));
        output.WriteLine($"plain HTTP: {plain.Message}");
        // A client that does not trust the silos' authority refuses the silo.
        using var distrusting = new HttpClient { BaseAddress = new Uri($"https://localhost:{port}") };
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => distrusting.PutAsync($"/v1/ns/default/kv/{key}", new StringContent("untrusted")));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(refused.InnerException);
        Assert.Equal("secret", await https.GetStringAsync($"/v1/ns/default/kv/{key}"));
    }

    [Fact]
    public async Task ASiloWithAnExpiredCertificateDoesNotStart()
    {
        var configuration = new Dictionary<string, string?>(cluster.Certificates.SiloTls())
        {
            ["Cluster:Tls:CertificatePath"] = cluster.Certificates.ExpiredCertificatePath,
            ["Cluster:Tls:KeyPath"] = cluster.Certificates.ExpiredKeyPath,
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = Flo.Storage.FloStorageProvider.Memory,
            Configuration = configuration,
        }));
        output.WriteLine(error.ToString());
        Assert.Contains("Cluster:Tls:CertificatePath: the certificate 'CN=flo-expired' expired on", error.ToString());
    }

    /// <summary>Connects with <paramref name="options"/>, expecting a refusal; checks that the cluster's data is as before.</summary>
    private async Task<FloConnectException> RefusedAsync(FloClientOptions options)
    {
        var before = await WriteMarkerAsync();
        var started = Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<FloConnectException>(() => cluster.Cluster.ConnectAsync(options: options with { ConnectTimeout = Deadline }));
        output.WriteLine($"{Stopwatch.GetElapsedTime(started)}: {error.Message}");
        Assert.Contains($"within {Deadline.TotalSeconds:0} s", error.Message);
        await UnchangedAsync(before);
        return error;
    }

    /// <summary>A key written through the cluster's own (TLS) client before a refused attempt: its name and version.</summary>
    private async Task<(string Key, long Version)> WriteMarkerAsync()
    {
        var key = $"marker-{Guid.NewGuid():N}";
        var version = await cluster.Cluster.Client.Kv.PutAsync(key, "before"u8.ToArray());
        return (key, version);
    }

    /// <summary>The marker is as it was, and the cluster still serves its TLS clients.</summary>
    private async Task UnchangedAsync((string Key, long Version) marker)
    {
        var entry = await cluster.Cluster.Client.Kv.GetAsync(marker.Key);
        Assert.Equal("before", Encoding.UTF8.GetString(entry!.Value));
        Assert.Equal(marker.Version, entry.Version);
    }
}
