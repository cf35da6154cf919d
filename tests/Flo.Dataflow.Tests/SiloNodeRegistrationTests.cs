using Flo.Dataflow.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Dataflow.Tests;

/// <summary>
/// Registering node types for a silo (no cluster): what the node grain's executor finds, the checks made at startup,
/// and the reference format of large values.
/// </summary>
[Trait("Category", "Dataflow")]
public sealed class SiloNodeRegistrationTests
{
    [Fact]
    public void TheExecutorFindsRegisteredTypesWithTheirTimeoutAndRetries()
    {
        var slow = Flow.Node("slow", (int x) => x, new NodeOptions { Timeout = TimeSpan.FromSeconds(7), MaxRetries = 1 });
        var services = new ServiceCollection();
        // Not needed to look types up (only to run them).
        services.AddSingleton<IGrainFactory>(_ => null!);
        services.AddFloFlowNodes(Flow.TypeOf(slow));
        services.AddFloFlowNodes(typeof(SiloNodeTypes).Assembly);
        using var provider = services.BuildServiceProvider();
        var executor = provider.GetRequiredService<IFlowNodeExecutor>();

        Assert.True(executor.TryGetNodeType("slow", out var timeout, out var retries));
        Assert.Equal((TimeSpan.FromSeconds(7), 1), (timeout, retries));
        Assert.True(executor.TryGetNodeType("silo-increment", out _, out _));
        Assert.False(executor.TryGetNodeType("elsewhere", out _, out _));
    }

    [Fact]
    public void TwoTypesOfOneNameAndAnAssemblyWithoutNodeTypesAreRefused()
    {
        var services = new ServiceCollection();
        var one = Flow.TypeOf(Flow.Node("twin", (int x) => x));
        var other = Flow.TypeOf(Flow.Node("twin", (int x) => x + 1));
        Assert.Throws<FlowArgumentException>(() => services.AddFloFlowNodes(one, other));
        Assert.Throws<FlowArgumentException>(() => services.AddFloFlowNodes(typeof(object).Assembly));
    }

    [Fact]
    public void AReferenceIsRecognizedOnlyInTheFormWritten()
    {
        var key = FlowValueRefs.Key("run-1", "big", 3, 0);
        Assert.Equal("flow/run-1/big/3/0", key);
        Assert.True(FlowValueRefs.TryGetKey(FlowValueRefs.Reference(key), out var read));
        Assert.Equal(key, read);
        Assert.False(FlowValueRefs.TryGetKey("{\"$flo_ref\":\"flow/x\",\"more\":1}", out _));
        Assert.False(FlowValueRefs.TryGetKey("\"{\\\"$flo_ref\\\":\\\"flow/x\\\"}\"", out _));
        Assert.False(FlowValueRefs.TryGetKey("42", out _));
    }
}
