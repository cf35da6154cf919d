using System.Diagnostics;
using Flo.Client.Tests.Grains;
using Flo.Client.Tests.Infrastructure;

namespace Flo.Client.Tests;

/// <summary>
/// Calls made while no gateway is up were never sent: they are resent (whatever the method) until a gateway is back or
/// the deadline passes.
/// </summary>
[Trait("Category", "Client")]
public sealed class NoGatewayTests(TwoSiloCluster fixture) : IClassFixture<TwoSiloCluster>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Call_made_while_no_gateway_is_up_is_retried_until_the_deadline_then_goes_through_once_a_gateway_is_back()
    {
        var cluster = fixture.Cluster;
        var gatewaySilo = cluster.SecondarySilos.Single();
        await using var shortDeadline = await fixture.ConnectAsync([gatewaySilo], fixture.Options(TimeSpan.FromSeconds(5), deadline: TimeSpan.FromSeconds(2)));
        await using var longDeadline = await fixture.ConnectAsync([gatewaySilo], fixture.Options(TimeSpan.FromSeconds(5), deadline: TimeSpan.FromSeconds(30)));
        var shortKey = "short-" + Guid.NewGuid().ToString("N");
        var longKey = "long-" + Guid.NewGuid().ToString("N");
        Assert.Equal(gatewaySilo.SiloAddress.Endpoint.Port, await shortDeadline.Grains.GetGrain<IRetryProbeGrain>(shortKey).Where());
        Assert.Equal(gatewaySilo.SiloAddress.Endpoint.Port, await longDeadline.Grains.GetGrain<IRetryProbeGrain>(longKey).Where());

        await cluster.KillSiloAsync(gatewaySilo);
        // A call sent in the moment before the client notices the dead connection is lost in it and times out (it may
        // have executed); wait until a read-only call is refused as "not sent" before testing what is not sent.
        await WhenTheClientKnowsNoGatewayAsync(shortDeadline, shortKey);

        // Nothing can take it: resent until its 2 s deadline, then "not executed".
        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() => shortDeadline.Grains.GetGrain<IRetryProbeGrain>(shortKey).Add(0));
        Assert.True(error.Attempts > 1, $"resent ({error.Attempts} attempts)");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(nameof(IRetryProbeGrain.Add), error.MethodName);
        Assert.Equal(0, Probe.ExecutionsOf(shortKey));

        // A non-idempotent call is resent too (it was never sent), and goes through once the gateway is back.
        using var retries = new RetryEvents(nameof(IRetryProbeGrain.Add));
        var call = longDeadline.Grains.GetGrain<IRetryProbeGrain>(longKey).Add(0);
        await retries.AtLeast(2).WaitAsync(Budget);
        Assert.False(call.IsCompleted);

        await cluster.RestartSiloAsync(gatewaySilo);

        Assert.Equal(1, await call.WaitAsync(Budget));
        Assert.Equal(1, Probe.ExecutionsOf(longKey));
    }

    private static async Task WhenTheClientKnowsNoGatewayAsync(FloClient client, string key)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(started.Elapsed < Budget, "the client never noticed that its only gateway died");
            try
            {
                await client.Grains.GetGrain<IRetryProbeGrain>(key).Where();
            }
            catch (ClusterUnavailableException)
            {
                return;
            }
            catch (CallOutcomeUnknownException)
            {
                // Sent into the dead connection: try again.
            }
        }
    }
}
