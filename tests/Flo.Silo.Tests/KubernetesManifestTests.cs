using System.ComponentModel;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Flo.Hosting;
using Flo.Storage;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Hosting.Kubernetes;
using Orleans.Runtime;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Flo.Silo.Tests;

/// <summary>
/// The manifests under <c>k8s/</c> load into <c>KubernetesClient</c>'s typed objects with unknown fields rejected, the
/// kustomizations name only files that exist, and what the manifests say agrees with the silo: its ports
/// (<see cref="FloEndpointOptions"/>), its health routes, its configuration keys (<see cref="FloSiloOptions"/>), the
/// labels, environment and RBAC that <c>Microsoft.Orleans.Hosting.Kubernetes</c> needs, and a grace period longer than
/// the silo's shutdown timeout.
/// </summary>
[Trait("Category", "Kubernetes")]
public sealed partial class KubernetesManifestTests
{
    private static readonly string Root = Path.Combine(Repository(), "k8s");

    [Fact]
    public void EveryManifestLoadsStrictlyIntoTypedObjects()
    {
        var files = ManifestFiles().ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var objects = LoadStrict(file);
            Assert.True(objects.Count > 0, $"{Relative(file)} holds no object");
            Assert.All(objects, o => Assert.True(o is IKubernetesObject, $"{Relative(file)}: {o?.GetType().Name ?? "null"} is not a Kubernetes object"));
        }
    }

    [Fact]
    public void StrictLoadingRejectsAnUnknownField()
    {
        // Otherwise the test above would pass whatever the manifests misspell.
        const string misspelt = "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selectr:\n    a: b\n";
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, strict: true));
        Assert.Single(KubernetesYaml.LoadAllFromString(misspelt, strict: false));
    }

    [Fact]
    public void EveryKustomizationNamesFilesThatExistAndEveryManifestIsNamed()
    {
        var kustomizations = Directory.EnumerateFiles(Root, "kustomization.yaml", SearchOption.AllDirectories).ToList();
        var directories = kustomizations.Select(k => Path.GetRelativePath(Root, Path.GetDirectoryName(k)!).Replace('\\', '/')).ToList();
        Assert.Superset(new HashSet<string> { "base", "postgres", "overlays/dev", "overlays/large" }, directories.ToHashSet());
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in kustomizations)
        {
            var k = Kustomization.Load(path);
            var directory = Path.GetDirectoryName(path)!;
            foreach (var entry in k.Resources.Concat(k.Components).Concat(k.Patches.Select(p => p.Path ?? "")))
            {
                var target = Path.GetFullPath(Path.Combine(directory, entry));
                Assert.True(File.Exists(target) || File.Exists(Path.Combine(target, "kustomization.yaml")),
                    $"{Relative(path)} names {entry}, which is neither a file nor a kustomization directory");
                named.Add(target);
            }
            Assert.Equal(k.Kind == "Component" ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1", k.ApiVersion);
        }
        // A manifest no kustomization lists would never be applied.
        Assert.Empty(ManifestFiles().Where(f => !named.Contains(f)).Select(Relative));
    }

    [Fact]
    public void ContainerPortsAreTheSilosDefaultPortsByName()
    {
        var container = SiloContainer(SiloDeployment());
        var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(SiloPorts().OrderBy(p => p.Key), ports.OrderBy(p => p.Key));
        Assert.All(container.Ports, p => Assert.Equal("TCP", p.Protocol));
    }

    [Fact]
    public void ServicesExposeTheSilosPortsByNameAndSelectTheSilos()
    {
        var pod = SiloDeployment().Spec.Template.Metadata.Labels;
        var ports = SiloPorts();
        var services = Base().OfType<V1Service>().ToList();
        var flo = services.Single(s => s.Metadata.Name == "flo");
        var headless = services.Single(s => s.Metadata.Name == "flo-silo");
        Assert.Equal("ClusterIP", flo.Spec.Type);
        Assert.Equal(["gateway", "http", "resp"], flo.Spec.Ports.Select(p => p.Name).Order());
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Contains(headless.Spec.Ports, p => p.Name == "silo");
        foreach (var service in services)
        {
            Assert.True(IsSubset(service.Spec.Selector, pod), $"Service {service.Metadata.Name} does not select the silo pods");
            Assert.False(IsSubset(service.Spec.Selector, PostgresStatefulSet().Spec.Template.Metadata.Labels), $"Service {service.Metadata.Name} also selects PostgreSQL");
            foreach (var port in service.Spec.Ports)
            {
                // The target by name: the container's port number can change without touching the Service.
                Assert.Equal(port.Name, port.TargetPort.Value);
                Assert.Equal(ports[port.Name], port.Port);
            }
        }
    }

    [Fact]
    public void ProbesUseTheSilosHealthRoutesOnTheHttpPortByName()
    {
        var routes = HealthRoutes();
        var container = SiloContainer(SiloDeployment());
        var http = PortName(nameof(FloEndpointOptions.HttpPort));
        Assert.Equal(routes["Ready"], container.ReadinessProbe.HttpGet.Path);
        Assert.Equal(routes["Live"], container.LivenessProbe.HttpGet.Path);
        Assert.Contains(container.StartupProbe.HttpGet.Path, routes.Values);
        foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
        {
            Assert.Equal(http, probe.HttpGet.Port.Value);
        }
        // The start-up budget covers a slow join (schema migration, membership) before liveness can restart the pod.
        Assert.True(container.StartupProbe.PeriodSeconds * container.StartupProbe.FailureThreshold >= 60);
    }

    [Fact]
    public void EveryClusterEnvironmentKeyIsASiloOptionAndItsValueParses()
    {
        var env = SiloContainer(SiloDeployment()).Env;
        var keys = env.Where(e => e.Name.StartsWith(FloSiloOptions.Section + "__", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        foreach (var variable in keys)
        {
            var leaf = OptionType(variable.Name.Split("__").Skip(1).ToArray());
            Assert.True(leaf is not null, $"{variable.Name} is no property path of {nameof(FloSiloOptions)} (or a section the silo binds beside it)");
            if (variable.Value is { } value)
            {
                var converter = TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(leaf) ?? leaf);
                Assert.True(converter.IsValid(value) || ConvertsFrom(converter, value), $"{variable.Name}={value} is not a {leaf.Name}");
            }
            else
            {
                Assert.NotNull(variable.ValueFrom);
            }
        }
    }

    [Fact]
    public void TheSiloRunsClusteredOnPostgresWithKubernetesHosting()
    {
        var env = SiloContainer(SiloDeployment()).Env.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(bool.TrueString, env[Key(nameof(FloSiloOptions.Kubernetes), nameof(FloKubernetesOptions.Enabled))].Value, ignoreCase: true);
        Assert.Equal(nameof(FloStorageProvider.Postgres), env[Key("Storage", nameof(FloStorageOptions.Provider))].Value);
        var secret = env[Key("Storage", nameof(FloStorageOptions.ConnectionString))].ValueFrom.SecretKeyRef;
        Assert.Equal("flo-postgres", secret.Name);
        Assert.Equal("connection-string", secret.Key);
        // The bundled database's Secret has the key the silos read, and its password matches the server's.
        var bundled = Postgres().OfType<V1Secret>().Single(s => s.Metadata.Name == secret.Name);
        Assert.Contains(secret.Key, bundled.StringData.Keys);
        var password = PostgresStatefulSet().Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "POSTGRES_PASSWORD").ValueFrom.SecretKeyRef;
        Assert.Equal(secret.Name, password.Name);
        Assert.Contains($"Password={bundled.StringData[password.Key]}", bundled.StringData[secret.Key]);
        Assert.Contains($"Host={Postgres().OfType<V1Service>().Single(s => s.Spec.ClusterIP != "None").Metadata.Name};", bundled.StringData[secret.Key]);
    }

    [Fact]
    public void ThePodCarriesTheLabelsAndDownwardApiValuesTheHostingPackageReads()
    {
        var deployment = SiloDeployment();
        var labels = deployment.Spec.Template.Metadata.Labels;
        Assert.True(labels.ContainsKey(KubernetesHostingOptions.ServiceIdLabel));
        Assert.True(labels.ContainsKey(KubernetesHostingOptions.ClusterIdLabel));
        var env = SiloContainer(deployment).Env.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var expected = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "metadata.name",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "metadata.namespace",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "status.podIP",
            [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']",
            [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']",
            // The silo configures its ids after the package does: they must come from the same labels, or the package
            // would relabel the pod and watch another cluster's pods.
            [Key(nameof(FloSiloOptions.ServiceId))] = $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']",
            [Key(nameof(FloSiloOptions.ClusterId))] = $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']",
        };
        foreach (var (name, field) in expected)
        {
            Assert.True(env.ContainsKey(name), $"{name} is not set");
            Assert.Equal(field, env[name].ValueFrom?.FieldRef?.FieldPath);
        }
        // The silo is named after its pod: no fixed name may override it.
        Assert.DoesNotContain(env.Keys, k => string.Equals(k, Key(nameof(FloSiloOptions.Name)), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void SelectorsOfTheDeploymentServicesAndBudgetMatchTheSiloPods()
    {
        var deployment = SiloDeployment();
        var pod = deployment.Spec.Template.Metadata.Labels;
        Assert.True(Matches(deployment.Spec.Selector, pod));
        // The hosting package may relabel orleans/*: selecting on them could orphan a pod.
        Assert.DoesNotContain(deployment.Spec.Selector.MatchLabels.Keys, k => k.StartsWith("orleans/", StringComparison.Ordinal));
        var budget = Base().OfType<V1PodDisruptionBudget>().Single();
        Assert.True(Matches(budget.Spec.Selector, pod));
        Assert.Equal(1, budget.Spec.MaxUnavailable.Value is string s ? int.Parse(s) : Convert.ToInt32(budget.Spec.MaxUnavailable.Value));
        Assert.Null(budget.Spec.MinAvailable);
        var postgres = PostgresStatefulSet();
        Assert.True(Matches(postgres.Spec.Selector, postgres.Spec.Template.Metadata.Labels));
        Assert.False(Matches(deployment.Spec.Selector, postgres.Spec.Template.Metadata.Labels));
        Assert.All(Postgres().OfType<V1Service>(), s => Assert.True(IsSubset(s.Spec.Selector, postgres.Spec.Template.Metadata.Labels)));
    }

    [Fact]
    public void UpgradesRollOnePodAtATimeWithoutLosingCapacity()
    {
        var update = SiloDeployment().Spec.Strategy;
        Assert.Equal("RollingUpdate", update.Type);
        Assert.Equal("0", update.RollingUpdate.MaxUnavailable.Value.ToString());
        Assert.Equal("1", update.RollingUpdate.MaxSurge.Value.ToString());
    }

    [Fact]
    public void TheGracePeriodOutlastsThePreStopPauseAndTheSilosShutdownTimeout()
    {
        var deployment = SiloDeployment();
        var container = SiloContainer(deployment);
        var configured = container.Env.SingleOrDefault(e => string.Equals(e.Name, Key(nameof(FloSiloOptions.ShutdownTimeoutSeconds)), StringComparison.OrdinalIgnoreCase));
        var shutdown = configured?.Value is { } value ? int.Parse(value) : new FloSiloOptions().ShutdownTimeoutSeconds;
        var pause = container.Lifecycle.PreStop.Sleep.Seconds;
        Assert.InRange(pause, 1, 15);
        Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > shutdown + pause,
            $"terminationGracePeriodSeconds {deployment.Spec.Template.Spec.TerminationGracePeriodSeconds} leaves no room for the preStop pause ({pause} s) and the silo's shutdown ({shutdown} s)");
    }

    [Fact]
    public void TheRoleGrantsExactlyWhatTheHostingPackageNeedsToTheSilosServiceAccount()
    {
        var objects = Base();
        var deployment = SiloDeployment();
        var account = objects.OfType<V1ServiceAccount>().Single();
        Assert.Equal(account.Metadata.Name, deployment.Spec.Template.Spec.ServiceAccountName);
        var role = objects.OfType<V1Role>().Single();
        var binding = objects.OfType<V1RoleBinding>().Single();
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal("rbac.authorization.k8s.io", binding.RoleRef.ApiGroup);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name), (subject.Kind, subject.Name));
        Assert.Equal(objects.OfType<V1Namespace>().Single().Metadata.Name, subject.NamespaceProperty);

        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Null(rule.ResourceNames);
        Assert.Equal(HostingPackageVerbs().Order(), rule.Verbs.Order());
    }

    [Fact]
    public void EveryContainerHasResourceRequestsAndLimits()
    {
        var containers = Base().OfType<V1Deployment>().SelectMany(d => d.Spec.Template.Spec.Containers)
            .Concat(PostgresStatefulSet().Spec.Template.Spec.Containers)
            .Concat(OverlayPatches().SelectMany(p => p.Patch.Spec.Template.Spec.Containers))
            .ToList();
        Assert.True(containers.Count >= 4);
        foreach (var container in containers)
        {
            foreach (var resource in new[] { "cpu", "memory" })
            {
                Assert.True(container.Resources?.Requests?.ContainsKey(resource) == true, $"{container.Name}: no {resource} request");
                Assert.True(container.Resources.Limits?.ContainsKey(resource) == true, $"{container.Name}: no {resource} limit");
                Assert.True(container.Resources.Requests[resource].ToDecimal() <= container.Resources.Limits[resource].ToDecimal(), $"{container.Name}: {resource} request above its limit");
            }
        }
    }

    [Fact]
    public void PodsRunAsNonRootOnAReadOnlyRootFilesystem()
    {
        var postgres = PostgresStatefulSet();
        var pods = new[]
        {
            (SiloDeployment().Spec.Template.Spec, Claims: Array.Empty<string>()),
            (postgres.Spec.Template.Spec, Claims: postgres.Spec.VolumeClaimTemplates.Select(c => c.Metadata.Name).ToArray()),
        };
        foreach (var (pod, claims) in pods)
        {
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
            foreach (var container in pod.Containers)
            {
                Assert.True(container.SecurityContext.ReadOnlyRootFilesystem, $"{container.Name}: writable root filesystem");
                Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
                Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
                // Whatever it writes goes to a volume of its own.
                Assert.All(container.VolumeMounts, m => Assert.Contains(m.Name, (pod.Volumes?.Select(v => v.Name) ?? []).Concat(claims)));
            }
        }
        Assert.Contains(SiloContainer(SiloDeployment()).VolumeMounts, m => m.MountPath == "/tmp");
    }

    [Fact]
    public void OverlaysScaleTheSilosAndOnlyDevBundlesPostgres()
    {
        var patches = OverlayPatches().ToDictionary(p => p.Overlay, p => p.Patch);
        Assert.Equal(["dev", "large"], patches.Keys.Order());
        Assert.Equal(1, patches["dev"].Spec.Replicas);
        Assert.Equal(6, patches["large"].Spec.Replicas);
        Assert.True(patches["large"].Spec.Replicas > SiloDeployment().Spec.Replicas);
        Assert.All(patches.Values, p => Assert.Equal(SiloDeployment().Metadata.Name, p.Metadata.Name));
        Assert.All(patches.Values, p => Assert.Equal(SiloContainer(SiloDeployment()).Name, Assert.Single(p.Spec.Template.Spec.Containers).Name));
        var large = SiloContainer(patches["large"]).Resources.Requests["cpu"].ToDecimal();
        Assert.True(large > SiloContainer(SiloDeployment()).Resources.Requests["cpu"].ToDecimal());

        var dev = Kustomization.Load(Path.Combine(Root, "overlays", "dev", "kustomization.yaml"));
        var bigger = Kustomization.Load(Path.Combine(Root, "overlays", "large", "kustomization.yaml"));
        Assert.Equal(["../../postgres"], dev.Components);
        Assert.Empty(bigger.Components);
        Assert.Equal(["../../base"], dev.Resources);
        Assert.Equal(["../../base"], bigger.Resources);
        // The budget is the base's in every overlay: patches only touch the Deployment.
        Assert.All(OverlayPatchFiles().SelectMany(LoadStrict), o => Assert.IsType<V1Deployment>(o));
    }

    [Fact]
    public void TheSecurityComponentTurnsOnTlsAndTokensFromSecretsAndProbesOverHttps()
    {
        var directory = Path.Combine(Root, "components", "security");
        var component = Kustomization.Load(Path.Combine(directory, "kustomization.yaml"));
        Assert.Equal("Component", component.Kind);
        var patch = Assert.IsType<V1Deployment>(Assert.Single(component.Patches.SelectMany(p => LoadStrict(Path.Combine(directory, p.Path!)))));
        Assert.Equal(SiloDeployment().Metadata.Name, patch.Metadata.Name);
        var container = SiloContainer(patch);
        Assert.Equal(SiloContainer(SiloDeployment()).Name, container.Name);

        // Every variable is a silo option whose value parses; TLS is on and every file it names is on a mounted Secret.
        var env = container.Env.ToDictionary(e => e.Name, e => e.Value);
        foreach (var (name, value) in env)
        {
            var leaf = OptionType(name.Split("__").Skip(1).ToArray());
            Assert.True(leaf is not null, $"{name} is no silo option");
            var converter = TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(leaf) ?? leaf);
            Assert.True(converter.IsValid(value) || ConvertsFrom(converter, value), $"{name}={value} is not a {leaf.Name}");
        }
        Assert.Equal(bool.TrueString, env[Key("Tls", nameof(FloTlsOptions.Enabled))], ignoreCase: true);
        var secrets = patch.Spec.Template.Spec.Volumes.ToDictionary(v => v.Name, v => v.Secret.SecretName);
        Assert.Equal(new Dictionary<string, string> { ["tls"] = "flo-tls", ["tokens"] = "flo-tokens" }, secrets);
        var files = env.Where(e => e.Key.EndsWith("Path", StringComparison.Ordinal) || e.Key.EndsWith("File", StringComparison.Ordinal)).Select(e => e.Value).ToList();
        Assert.Equal(4, files.Count);
        Assert.All(files, file => Assert.Contains(container.VolumeMounts, m => file.StartsWith(m.MountPath + "/", StringComparison.Ordinal) && secrets.ContainsKey(m.Name) && m.ReadOnlyProperty == true));

        // With HTTPS on the HTTP port the kubelet must probe over HTTPS (it does not check the certificate).
        Assert.All(new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe }, probe => Assert.Equal("HTTPS", probe.HttpGet.Scheme));
        Assert.True(new FloTlsOptions().Http, "HTTPS is on by default with TLS: the probes' scheme follows it");
    }

    [Fact]
    public void TheDockerfileExposesTheSilosPortsAndRunsTheSiloAsNonRoot()
    {
        var repository = Repository();
        var dockerfile = File.ReadAllText(Path.Combine(repository, "silo", "Dockerfile"));
        var expose = Regex.Match(dockerfile, @"^EXPOSE\s+(.+)$", RegexOptions.Multiline);
        Assert.True(expose.Success);
        Assert.Equal(SiloPorts().Values.Order(), expose.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order());
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0", dockerfile);
        Assert.Matches(@"(?m)^USER \$APP_UID$", dockerfile);
        // The assembly the silo project builds (its file name; the project sets no AssemblyName).
        var project = Path.Combine(repository, "silo", "Flo.Silo.csproj");
        Assert.DoesNotContain("<AssemblyName>", File.ReadAllText(project));
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{Path.GetFileNameWithoutExtension(project)}.dll\"]", dockerfile);
        Assert.True(File.Exists(Path.Combine(repository, ".dockerignore")));
    }

    // --- the silo's side ---

    /// <summary>The silo's ports by manifest name: each <c>…Port</c> option of <see cref="FloEndpointOptions"/> with its default.</summary>
    internal static Dictionary<string, int> SiloPorts()
    {
        var defaults = new FloEndpointOptions();
        return typeof(FloEndpointOptions).GetProperties()
            .Where(p => p.PropertyType == typeof(int) && p.Name.EndsWith("Port", StringComparison.Ordinal))
            .ToDictionary(p => PortName(p.Name), p => (int)p.GetValue(defaults)!);
    }

    private static string PortName(string option) => option[..^"Port".Length].ToLowerInvariant();

    /// <summary>The silo's health routes by endpoint name (<c>Live</c>, <c>Ready</c>), as <see cref="FloHealth.MapFloHealth"/> maps them.</summary>
    private static Dictionary<string, string> HealthRoutes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddFloHealthChecks();
        var app = builder.Build();
        app.MapFloHealth();
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, e => e.RoutePattern.RawText!);
    }

    /// <summary>
    /// The type a configuration path under <c>Cluster</c> binds to, or null when no option has it: the properties of
    /// <see cref="FloSiloOptions"/>, and the sections the silo binds beside it (<c>AddFloPlatform</c>,
    /// <c>FloSiloConfiguration.ReadStorage</c>). Case-insensitive, as the configuration binder is.
    /// </summary>
    private static Type? OptionType(string[] path)
    {
        var beside = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage"] = typeof(FloStorageOptions),
            ["Membership"] = typeof(ClusterMembershipOptions),
            ["GrainCollection"] = typeof(GrainCollectionOptions),
            ["Messaging"] = typeof(SiloMessagingOptions),
        };
        Assert.DoesNotContain(beside.Keys, k => typeof(FloSiloOptions).GetProperty(k) is not null);
        if (path.Length > 1 && beside.TryGetValue(path[0], out var section))
        {
            return Walk(section, path[1..]);
        }
        return Walk(typeof(FloSiloOptions), path);

        static Type? Walk(Type type, IEnumerable<string> segments)
        {
            using var next = segments.GetEnumerator();
            while (next.MoveNext())
            {
                if (type.IsArray)
                {
                    type = int.TryParse(next.Current, out _) ? type.GetElementType()! : null!;
                }
                else
                {
                    type = type.GetProperty(next.Current, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType!;
                }
                if (type is null)
                {
                    return null;
                }
            }
            // A leaf takes a string; a section (a class of options) is no key of its own.
            return TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type).CanConvertFrom(typeof(string)) ? type : null;
        }
    }

    private static bool ConvertsFrom(TypeConverter converter, string value)
    {
        try
        {
            converter.ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>An environment key of the silo's configuration: <c>Cluster__A__B</c>.</summary>
    private static string Key(params string[] path) => string.Join("__", [FloSiloOptions.Section, .. path]);

    /// <summary>
    /// The verbs <c>Microsoft.Orleans.Hosting.Kubernetes</c> uses on pods: its own example role (get, watch, list,
    /// patch: read and relabel its pod, list and watch the cluster's pods), which it logs when the API server refuses
    /// it, plus delete when <see cref="FloKubernetesOptions.DeleteDefunctSiloPods"/> is on by default.
    /// </summary>
    private static IEnumerable<string> HostingPackageVerbs()
    {
        var example = typeof(KubernetesClusterAgent).GetFields(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Single(text => text.Contains("kind: Role", StringComparison.Ordinal));
        var verbs = new HashSet<string>(Regex.Match(example, @"verbs:\s*\[([^\]]*)\]").Groups[1].Value
            .Split(',').Select(v => v.Trim().Trim('"', ' ')).Where(v => v.Length > 0));
        Assert.Superset(new HashSet<string> { "get", "list", "watch" }, verbs);
        if (new FloKubernetesOptions().DeleteDefunctSiloPods)
        {
            verbs.Add("delete");
        }
        return verbs;
    }

    // --- the manifests ---

    private static IEnumerable<string> ManifestFiles()
        => Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal);

    private static List<object> LoadStrict(string file) => KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true);

    private static List<object> LoadKustomization(string directory)
        => Kustomization.Load(Path.Combine(directory, "kustomization.yaml")).Resources
            .Select(r => Path.Combine(directory, r))
            .Where(File.Exists)
            .SelectMany(LoadStrict)
            .ToList();

    private static List<object> Base() => LoadKustomization(Path.Combine(Root, "base"));

    private static List<object> Postgres() => LoadKustomization(Path.Combine(Root, "postgres"));

    private static V1Deployment SiloDeployment() => Base().OfType<V1Deployment>().Single();

    private static V1StatefulSet PostgresStatefulSet() => Postgres().OfType<V1StatefulSet>().Single();

    private static V1Container SiloContainer(V1Deployment deployment) => Assert.Single(deployment.Spec.Template.Spec.Containers);

    private static IEnumerable<string> OverlayPatchFiles()
        => Directory.EnumerateDirectories(Path.Combine(Root, "overlays"))
            .SelectMany(o => Kustomization.Load(Path.Combine(o, "kustomization.yaml")).Patches.Select(p => Path.Combine(o, p.Path!)));

    private static IEnumerable<(string Overlay, V1Deployment Patch)> OverlayPatches()
        => Directory.EnumerateDirectories(Path.Combine(Root, "overlays"))
            .SelectMany(o => Kustomization.Load(Path.Combine(o, "kustomization.yaml")).Patches
                .SelectMany(p => LoadStrict(Path.Combine(o, p.Path!)))
                .OfType<V1Deployment>()
                .Select(d => (Path.GetFileName(o), d)));

    private static bool IsSubset(IDictionary<string, string> selector, IDictionary<string, string> labels)
        => selector is { Count: > 0 } && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels)
    {
        Assert.True(selector.MatchExpressions is null or { Count: 0 }, "only matchLabels selectors are checked");
        return IsSubset(selector.MatchLabels, labels);
    }

    private static string Relative(string path) => Path.GetRelativePath(Repository(), path);

    private static string Repository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cluster.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Cluster.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A kustomization file: not a Kubernetes object, so read as plain YAML, and strictly: a key this test does not
    /// know (a misspelt <c>resource:</c>) fails rather than being skipped.
    /// </summary>
    private sealed class Kustomization
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }

        public string? Namespace { get; set; }

        public List<string> Resources { get; set; } = [];

        public List<string> Components { get; set; } = [];

        public List<Patch> Patches { get; set; } = [];

        public static Kustomization Load(string path)
            => new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
                .Deserialize<Kustomization>(File.ReadAllText(path));

        public sealed class Patch
        {
            public string? Path { get; set; }
        }
    }
}

/// <summary>
/// <see cref="FloSiloBuilderExtensions.UseFloClustering"/> with <c>Cluster:Kubernetes</c> and the host's shutdown
/// timeout, checked on the service collection (no Kubernetes API server is reached).
/// </summary>
[Trait("Category", "Kubernetes")]
[Collection(nameof(KubernetesHostingTests))] // sets POD_* environment variables of this process
public sealed class KubernetesHostingTests
{
    private static readonly Dictionary<string, string?> Postgres = new()
    {
        ["Cluster:Storage:Provider"] = "Postgres",
        ["Cluster:Storage:ConnectionString"] = "Host=postgres.invalid;Database=flo;Username=flo;Password=x",
    };

    [Fact]
    public void EnabledAddsTheHostingPackageAndKeepsPostgresClustering()
    {
        var services = Silo(new(Postgres) { ["Cluster:Kubernetes:Enabled"] = "true" });
        Assert.Contains(services, d => d.ServiceType == typeof(ILifecycleParticipant<ISiloLifecycle>) && d.ImplementationType == typeof(KubernetesClusterAgent));
        Assert.Contains(services, d => d.ServiceType == typeof(IConfigureOptions<ClusterOptions>) && d.ImplementationType?.Assembly == typeof(KubernetesClusterAgent).Assembly);
        Assert.Contains(services, d => d.ServiceType == typeof(IMembershipTable) && FromAdoNetClustering(d));
    }

    [Fact]
    public void DisabledAddsNothingOfTheHostingPackage()
    {
        var services = Silo(new(Postgres));
        // (Orleans registers every referenced assembly's type manifest, the package's too: that is no hosting.)
        Assert.DoesNotContain(services, d => d.ImplementationType?.Namespace == typeof(KubernetesClusterAgent).Namespace);
        Assert.Contains(services, d => d.ServiceType == typeof(IMembershipTable) && FromAdoNetClustering(d));
    }

    [Fact]
    public void EnabledWithoutPostgresIsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Silo(new() { ["Cluster:Storage:Provider"] = "Sqlite", ["Cluster:Kubernetes:Enabled"] = "true" }));
        Assert.Contains("Cluster:Storage:Provider=Postgres", error.Message);
    }

    [Fact]
    public void ThePodsNameAndIpBecomeTheSilosAndTheOptionsReachThePackage()
    {
        var variables = new Dictionary<string, string>
        {
            [KubernetesHostingOptions.PodNameEnvironmentVariable] = "flo-silo-7d9c-x2x4q",
            [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "flo",
            [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.1.2.3",
        };
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            using var provider = Silo(new(Postgres)
            {
                ["Cluster:Kubernetes:Enabled"] = "true",
                ["Cluster:Kubernetes:MaxAgents"] = "3",
                ["Cluster:Kubernetes:DeleteDefunctSiloPods"] = "false",
                ["Cluster:Endpoints:SiloPort"] = "12111",
                ["Cluster:Endpoints:GatewayPort"] = "19000",
            }).BuildServiceProvider();

            var endpoints = provider.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.1.2.3"), endpoints.AdvertisedIPAddress);
            Assert.Equal(12111, endpoints.SiloPort);
            Assert.Equal(19000, endpoints.GatewayPort);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 12111), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 19000), endpoints.GatewayListeningEndpoint);
            Assert.Equal("flo-silo-7d9c-x2x4q", provider.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            var hosting = provider.GetRequiredService<IOptions<KubernetesHostingOptions>>().Value;
            Assert.Equal(3, hosting.MaxAgents);
            Assert.False(hosting.DeleteDefunctSiloPods);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public void DefaultsMatchTheManifestsRbac()
    {
        var defaults = new FloKubernetesOptions();
        Assert.False(defaults.Enabled);
        Assert.True(defaults.DeleteDefunctSiloPods); // k8s/base/role.yaml grants delete for it
        Assert.Equal(new KubernetesHostingOptions().MaxAgents, defaults.MaxAgents);
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("17", 17)]
    public async Task TheHostsShutdownTimeoutIsClusterShutdownTimeoutSeconds(string? configured, int seconds)
    {
        var builder = WebApplication.CreateBuilder();
        var settings = new Dictionary<string, string?> { ["Cluster:Storage:Provider"] = "Memory" };
        if (configured is not null)
        {
            settings["Cluster:ShutdownTimeoutSeconds"] = configured;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFloSilo();
        await using var app = builder.Build();
        Assert.Equal(TimeSpan.FromSeconds(seconds), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(FloSiloOptions.DefaultShutdownTimeoutSeconds, new FloSiloOptions().ShutdownTimeoutSeconds);
    }

    private static ServiceCollection Silo(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOrleans(silo => silo.UseFloClustering(configuration));
        return services;
    }

    private static bool FromAdoNetClustering(ServiceDescriptor descriptor)
        => (descriptor.ImplementationType ?? descriptor.ImplementationFactory?.Method.DeclaringType)?.Assembly.GetName().Name == "Orleans.Clustering.AdoNet";
}
