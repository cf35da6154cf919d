using System.Reflection;
using Flo.Hosting;
using Flo.Hosting.Security;
using Flo.Kv;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flo.Security.Tests;

/// <summary>
/// What a silo refuses to start with (each error names the setting and what is wrong), tokens from a mounted file,
/// <c>Cluster:HttpToken</c> as a read-write token on <c>*</c>, and the grain access table kept complete.
/// </summary>
[Trait("Category", "Security")]
public sealed class ConfigurationTests : IDisposable
{
    private readonly TestCertificates certificates = new();

    public void Dispose() => certificates.Dispose();

    [Fact]
    public void BadTokenSettingsAreRefusedNamingTheEntry()
    {
        var result = new FloSecurityOptionsValidator().Validate(null, new FloSecurityOptions
        {
            Tokens =
            [
                new FloTokenOptions { Token = "short", Namespaces = ["orders"] },
                new FloTokenOptions { Name = "both", Token = new string('a', 20), TokenSha256 = new string('b', 64), Namespaces = ["*"] },
                new FloTokenOptions { TokenSha256 = "not-hex", Namespaces = ["orders"] },
                new FloTokenOptions { Token = new string('c', 20), Namespaces = [] },
                new FloTokenOptions { Token = new string('d', 20), Namespaces = ["bad/namespace"] },
            ],
            TokensFile = Path.Combine(certificates.Root, "missing.json"),
        });
        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:Tokens:0:") && f.Contains("at least 16"));
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:Tokens:1 (both):") && f.Contains("not both"));
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:Tokens:2:") && f.Contains("64 hex digits"));
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:Tokens:3:") && f.Contains("Namespaces is empty"));
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:Tokens:4:") && f.Contains("[A-Za-z0-9._-]"));
        Assert.Contains(failures, f => f.StartsWith("Cluster:Security:TokensFile") && f.Contains("missing.json"));
    }

    [Fact]
    public void TokensComeFromAMountedFileAndHttpTokenIsReadWriteOnEverything()
    {
        var reader = "reader-" + Guid.NewGuid().ToString("N");
        var httpToken = "http-" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(certificates.Root, "tokens.json");
        File.WriteAllText(file, $$"""
            {"Tokens": [{"Name": "from-file", "TokenSha256": "{{Convert.ToHexString(FloAccessControl.Hash(reader))}}", "Namespaces": ["orders", "billing"], "Access": "Read"}]}
            """);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Security:TokensFile"] = file,
            ["Cluster:HttpToken"] = httpToken,
        }).Build();
        Assert.True(FloSecurity.IsConfigured(configuration));
        var services = new ServiceCollection().AddLogging().AddFloSecurity(configuration).BuildServiceProvider();
        var access = services.GetRequiredService<FloAccessControl>();
        Assert.True(access.Enabled);
        var fromFile = access.Find(reader)!;
        Assert.Equal("from-file", fromFile.Name);
        Assert.True(fromFile.Allows("billing", write: false));
        Assert.False(fromFile.Allows("billing", write: true));
        Assert.False(fromFile.Allows(null, write: false));
        var http = access.Find(httpToken)!;
        Assert.Equal(FloSecurity.HttpTokenName, http.Name);
        Assert.True(http.Allows(null, write: true));
        Assert.True(http.Allows("anything", write: true));
        Assert.Null(access.Find(httpToken + "x"));
        Assert.False(FloSecurity.IsConfigured(new ConfigurationBuilder().Build()));
        Assert.False(new ServiceCollection().AddLogging().AddFloSecurity(new ConfigurationBuilder().Build()).BuildServiceProvider().GetRequiredService<FloAccessControl>().Enabled);
    }

    [Fact]
    public void AnExpiredOrStrangeSiloCertificateIsRefusedAtStart()
    {
        var validator = new FloTlsOptionsValidator();
        var expired = validator.Validate(null, new FloTlsOptions
        {
            Enabled = true,
            CertificatePath = certificates.ExpiredCertificatePath,
            KeyPath = certificates.ExpiredKeyPath,
            CaPath = certificates.CaPath,
        });
        Assert.Contains("Cluster:Tls:CertificatePath: the certificate 'CN=flo-expired' expired on", expired.FailureMessage);
        var stranger = validator.Validate(null, new FloTlsOptions
        {
            Enabled = true,
            CertificatePath = certificates.StrangerCertificatePath,
            KeyPath = certificates.StrangerKeyPath,
            CaPath = certificates.CaPath,
        });
        Assert.Contains("does not chain to Cluster:Tls:CaPath", stranger.FailureMessage);
        var missing = validator.Validate(null, new FloTlsOptions { Enabled = true, CertificatePath = Path.Combine(certificates.Root, "nope.crt") });
        Assert.Contains("no such file", missing.FailureMessage);
        Assert.True(validator.Validate(null, new FloTlsOptions
        {
            Enabled = true,
            CertificatePath = certificates.SiloCertificatePath,
            KeyPath = certificates.SiloKeyPath,
            CaPath = certificates.CaPath,
            RequireClientCertificate = true,
        }).Succeeded);
    }

    [Fact]
    public void EveryPlatformGrainInterfaceHasAnAccessRuleAndEveryListedReadExists()
    {
        var grainInterfaces = typeof(IKvKeyGrain).Assembly.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t) && t.GetMethods().Length > 0)
            .ToList();
        Assert.NotEmpty(grainInterfaces);
        Assert.All(grainInterfaces, t => Assert.Contains(t, GrainAccessRules.PlatformInterfaces));
        foreach (var type in GrainAccessRules.PlatformInterfaces)
        {
            var methods = type.GetMethods().Select(m => m.Name).ToHashSet();
            Assert.All(GrainAccessRules.ReadsOf(type), read => Assert.Contains(read, methods));
        }
        Assert.True(Rule<IKvKeyGrain>(nameof(IKvKeyGrain.Put)).Write);
        // Client puts and deletes travel as Execute (joined per key): a read-only token must not pass with them.
        Assert.True(Rule<IKvKeyGrain>(nameof(IKvKeyGrain.Execute)).Write);
        Assert.False(Rule<IKvKeyGrain>(nameof(IKvKeyGrain.Get)).Write);
        Assert.Equal("IKvKeyGrain.Put", Rule<IKvKeyGrain>(nameof(IKvKeyGrain.Put)).Operation);
        Assert.True(Rule<Flo.Queues.IQueuePartitionGrain>(nameof(Flo.Queues.IQueuePartitionGrain.Dequeue)).Write);
        Assert.Equal(GrainAccessRules.Scope.WholeKey, Rule<Flo.Actions.IActionEventsGrain>(nameof(Flo.Actions.IActionEventsGrain.Subscribe)).Scope);
        Assert.Equal(GrainAccessRules.Scope.AnyToken, Rule<IManagementGrain>(nameof(IManagementGrain.GetHosts)).Scope);
        Assert.Equal(GrainAccessRules.Scope.Cluster, Rule<IManagementGrain>(nameof(IManagementGrain.ForceGarbageCollection)).Scope);
        Assert.True(Rule<IManagementGrain>(nameof(IManagementGrain.ForceGarbageCollection)).Write);
    }

    private static GrainAccessRules.Rule Rule<T>(string method)
        => GrainAccessRules.Of(typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Instance).First(m => m.Name == method));
}
