using Flo.Calls;
using Flo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;

namespace Flo.Client.Tests;

/// <summary>Options, registration and failure classification: no cluster needed.</summary>
[Trait("Category", "Client")]
public sealed class OptionsTests
{
    [Fact]
    public void AddFloClient_without_gateways_or_membership_says_what_to_set()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFloClient(_ => { }));
        Assert.Contains("Gateways", error.Message);
        Assert.Contains("MembershipConnectionString", error.Message);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("localhost:70000")]
    [InlineData("localhost:port")]
    [InlineData(":9000")]
    [InlineData("::1:9000")]
    [InlineData("")]
    public void AddFloClient_rejects_a_gateway_that_is_not_host_and_port(string gateway)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFloClient(o => o.Gateways = ["localhost:9000", gateway]));
        Assert.Contains("gateway", error.Message);
        if (gateway.Length > 0)
        {
            Assert.Contains($"'{gateway}'", error.Message);
        }
    }

    [Fact]
    public void AddFloClient_rejects_both_gateways_and_membership()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFloClient(o =>
        {
            o.Gateways = ["localhost:9000"];
            o.MembershipConnectionString = "Host=localhost;Database=flo";
        }));
        Assert.Contains("not both", error.Message);
    }

    [Fact]
    public void AddFloClient_rejects_invalid_client_options()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFloClient(o =>
        {
            o.Gateways = ["[::1]:9000", "10.0.0.5:9000"];
            o.ResponseTimeout = TimeSpan.Zero;
        }));
        Assert.Contains("response timeout", error.Message);
    }

    [Fact]
    public void AddFloClient_with_a_membership_connection_string_reads_gateways_from_the_AdoNet_membership_table()
    {
        var services = new ServiceCollection();
        services.AddFloClient(o => o.MembershipConnectionString = "Host=127.0.0.1;Database=flo;Username=flo");
        using var provider = services.BuildServiceProvider();
        Assert.Contains("AdoNet", provider.GetRequiredService<IGatewayListProvider>().GetType().Name);
        Assert.Contains(services, d => d.ServiceType == typeof(IClusterClient));
    }

    [Fact]
    public void AddFloClient_in_a_silo_host_adds_no_second_client_and_wraps_the_silos_grain_factory()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo.UseLocalhostClustering());
        var clients = builder.Services.Count(d => d.ServiceType == typeof(IClusterClient));

        builder.Services.AddFloClient(o => o.Namespace = "svc");

        Assert.Equal(clients, builder.Services.Count(d => d.ServiceType == typeof(IClusterClient)));
        Assert.DoesNotContain(builder.Services, d => d.ServiceType == typeof(IOutgoingGrainCallFilter));
        using var host = builder.Build();
        var flo = host.Services.GetRequiredService<FloClient>();
        Assert.Same(host.Services.GetRequiredService<IGrainFactory>(), flo.Grains);
        Assert.Equal("svc", flo.Options.Namespace);
    }

    [Fact]
    public void AddFloClient_twice_is_an_error()
    {
        var services = new ServiceCollection().AddFloClient(o => o.Gateways = ["localhost:9000"]);
        Assert.Throws<InvalidOperationException>(() => services.AddFloClient(o => o.Gateways = ["localhost:9000"]));
    }

    [Fact]
    public void Failures_are_sorted_into_not_executed_may_have_executed_and_answers()
    {
        Assert.Equal(CallFailure.Kind.NotExecuted, CallFailure.Classify(NewRejection("No gateways available")));
        Assert.Equal(CallFailure.Kind.NotExecuted, CallFailure.Classify(new Orleans.Runtime.Messaging.ConnectionFailedException("refused")));
        Assert.Equal(CallFailure.Kind.NotExecuted, CallFailure.Classify(new GatewayTooBusyException()));
        Assert.Equal(CallFailure.Kind.MaybeExecuted, CallFailure.Classify(new SiloUnavailableException()));
        Assert.Equal(CallFailure.Kind.MaybeExecuted, CallFailure.Classify(new TimeoutException()));
        Assert.Equal(CallFailure.Kind.Definitive, CallFailure.Classify(new Kv.KvArgumentException("bad")));
        Assert.Equal(CallFailure.Kind.Definitive, CallFailure.Classify(new ObjectDisposedException("client")));

        // A rejection a grain let escape from its own nested call crossed the wire with a remote stack trace: it ran.
        var nested = NewRejection("nested call rejected");
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.SetRemoteStackTrace(nested, "   at SomeGrain.Put()");
        Assert.Equal(CallFailure.Kind.MaybeExecuted, CallFailure.Classify(nested));
    }

    [Fact]
    public void Method_safety_is_read_from_ReadOnly_and_Idempotent_attributes()
    {
        Assert.Equal(MethodSafety.Kind.Idempotent, MethodSafety.Of(typeof(Kv.IKvKeyGrain).GetMethod(nameof(Kv.IKvKeyGrain.Get))));
        Assert.Equal(MethodSafety.Kind.Idempotent, MethodSafety.Of(typeof(Kv.IKvKeyGrain).GetMethod(nameof(Kv.IKvKeyGrain.GetOrWait))));
        Assert.Equal(MethodSafety.Kind.None, MethodSafety.Of(typeof(Kv.IKvKeyGrain).GetMethod(nameof(Kv.IKvKeyGrain.Put))));
        // Puts and deletes go as Execute, several callers' at once: never resent when it may have run.
        Assert.Equal(MethodSafety.Kind.None, MethodSafety.Of(typeof(Kv.IKvKeyGrain).GetMethod(nameof(Kv.IKvKeyGrain.Execute))));
        Assert.Equal(MethodSafety.Kind.OneWay, MethodSafety.Of(typeof(Kv.IKvKeyGrain).GetMethod(nameof(Kv.IKvKeyGrain.SettleListing))));
    }

    [Fact]
    public async Task Acking_nothing_returns_without_a_call()
    {
        // No cluster behind this client: any call would fail.
        var flo = new FloClient(NoGrains.Create());
        await flo.Queue.AckAsync("tasks", []);
        await flo.Queue.NackAsync("tasks", []);
        Assert.Equal(0, await flo.Stream.GroupAckAsync("events", "workers", Array.Empty<Streams.StreamRecord>()));
        Assert.Equal(0, await flo.Stream.GroupAckAsync("events", "workers", Array.Empty<Streams.StreamId>()));
        await Assert.ThrowsAnyAsync<InvalidArgumentException>(() => flo.Queue.AckAsync("bad name!", []));
    }

    private static OrleansMessageRejectionException NewRejection(string message)
        => (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, null, [message], null)!;

    /// <summary>A grain factory that fails any use: proves no call was made.</summary>
    public class NoGrains : System.Reflection.DispatchProxy
    {
        public static IGrainFactory Create() => Create<IGrainFactory, NoGrains>();

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
            => throw new InvalidOperationException($"No grain call expected ({targetMethod?.Name}).");
    }
}
