using System.Diagnostics;
using Flo.Client;
using Flo.Runtime.Hosting;
using Flo.TestGrains.Runtime;
using Microsoft.Extensions.DependencyInjection;
using static Flo.Runtime.Tests.Client.ClientTestCluster;

namespace Flo.Runtime.Tests.Client;

/// <summary>
/// The client resends a call only where that is safe: never sent, answered Unavailable (never started), or
/// idempotent/read-only after its connection was lost; everything else fails with a typed error saying whether the
/// call may have run. All within the response timeout and the caller's cancellation.
/// </summary>
[Trait("Category", "Fault")]
public sealed class ClientRetryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ACallMadeWhileNoGatewayIsUpIsRetriedUntilTheOtherGatewayIsBack()
    {
        await using var cluster = await DeployAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        await using var client = await ClusterClient.ConnectAsync(Options(first.GatewayEndpoint) with
        {
            MaxRetries = 200,
            RetryBackoff = TimeSpan.FromMilliseconds(20),
            MaxRetryBackoff = TimeSpan.FromMilliseconds(100),
        });
        Assert.Contains(second.GatewayEndpoint, client.KnownGateways);
        await cluster.KillSiloAsync(second);
        await cluster.KillSiloAsync(first);
        await WaitUntilAsync(() => client.ConnectedSilo is null, "the client notices its gateway is gone");

        var key = NewKey("down");
        var call = client.GetGrain<IRetryProbeGrain>(key).Increment();
        await Task.Delay(500);
        Assert.False(call.IsCompleted, "with every gateway down the call keeps retrying instead of failing");

        var back = await cluster.StartSiloAsync(second.GatewayPort);
        Assert.Equal(back.Name, await call.WaitAsync(Patience));
        Assert.Equal(1, RetryProbe.RunsOf(key));
        Assert.Equal(back.Name, client.ConnectedSilo);
    }

    [Theory]
    [InlineData(nameof(IRetryProbeGrain.Put))]
    [InlineData(nameof(IRetryProbeGrain.Peek))]
    public async Task AnIdempotentOrReadOnlyCallInFlightWhenItsGatewayIsKilledIsResentAndSucceeds(string method)
    {
        await using var cluster = await DeployAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        await using var client = await ClusterClient.ConnectAsync(Options(first.GatewayEndpoint));
        var key = NewKey(method);
        var (entered, release) = RetryProbe.Arm(key);
        var grain = client.GetGrain<IRetryProbeGrain>(key);

        var call = method == nameof(IRetryProbeGrain.Put) ? grain.Put() : grain.Peek();
        await entered.WaitAsync(Patience);
        await cluster.KillSiloAsync(first);
        release.SetResult();

        Assert.Equal(second.Name, await call.WaitAsync(Patience));
        // Once on the killed silo (the answer was lost), once more on the other one.
        Assert.Equal(2, RetryProbe.RunsOf(key));
        Assert.Equal(second.Name, client.ConnectedSilo);
    }

    [Fact]
    public async Task ANonIdempotentCallInFlightWhenItsGatewayIsKilledFailsAsMaybeExecutedAndIsNotResent()
    {
        await using var cluster = await DeployAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        await using var client = await ClusterClient.ConnectAsync(Options(first.GatewayEndpoint));
        var key = NewKey("increment");
        var (entered, release) = RetryProbe.Arm(key);

        var call = client.GetGrain<IRetryProbeGrain>(key).Increment();
        await entered.WaitAsync(Patience);
        await cluster.KillSiloAsync(first);
        // A resent request would now run straight through on the other silo and count a second run.
        release.SetResult();

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => call.WaitAsync(Patience));
        Assert.True(error.MayHaveExecuted);
        Assert.Contains("RetryProbeGrain.Increment", error.Message);
        Assert.Contains(key, error.Message);
        Assert.Contains(first.Name, error.Message);
        Assert.Contains("may have executed", error.Message);

        // The client itself moved on: a new call goes through the other gateway, and the lost one never ran again.
        Assert.Equal(second.Name, await client.GetGrain<IRetryProbeGrain>(NewKey("after")).Increment());
        await Task.Delay(200);
        Assert.Equal(1, RetryProbe.RunsOf(key));
    }

    [Fact]
    public async Task AnUnavailableAnswerIsResentThroughAnotherGatewayEvenForANonIdempotentCall()
    {
        await using var cluster = await DeployAsync(2);
        var (first, second) = (cluster.Silos[0], cluster.Silos[1]);
        await using var client = await ClusterClient.ConnectAsync(Options(first.GatewayEndpoint, second.GatewayEndpoint));
        Assert.Equal(first.Name, client.ConnectedSilo);
        // The silo keeps its connections open but answers every request Unavailable, as a silo that stopped serving
        // does: by contract those requests never started, so any of them may be resent.
        first.Services.GetRequiredService<SiloDetails>().Kill();

        var key = NewKey("unavailable");
        Assert.Equal(second.Name, await client.GetGrain<IRetryProbeGrain>(key).Increment());
        Assert.Equal(1, RetryProbe.RunsOf(key));
        Assert.Equal(second.Name, client.ConnectedSilo);
    }

    [Fact]
    public async Task AnUnavailableErrorThrownByTheGrainItselfIsNotResent()
    {
        await using var cluster = await DeployAsync(1);
        var key = NewKey("escape");

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => cluster.GrainFactory.GetGrain<IRetryProbeGrain>(key).FailWithUnavailable());

        // The grain ran, so the response must not promise it did not (status Unavailable) and invite a resend.
        Assert.True(error.MayHaveExecuted);
        Assert.Contains("An inner call found its silo gone.", error.Message);
        Assert.Equal(1, RetryProbe.RunsOf(key));
    }

    [Fact]
    public async Task RetriesEndWithinTheResponseTimeoutWithANotExecutedError()
    {
        await using var cluster = await DeployAsync(1);
        await using var client = await ClusterClient.ConnectAsync(Options(cluster.Silos[0].GatewayEndpoint) with
        {
            ResponseTimeout = TimeSpan.FromSeconds(1),
            MaxRetries = 10_000,
            RetryBackoff = TimeSpan.FromMilliseconds(50),
        });
        await cluster.KillSiloAsync(cluster.Silos[0]);
        await WaitUntilAsync(() => client.ConnectedSilo is null, "the client notices its gateway is gone");

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => client.GetGrain<IRetryProbeGrain>(NewKey("budget")).Increment());
        clock.Stop();

        Assert.False(error.MayHaveExecuted);
        Assert.Contains("It did not execute.", error.Message);
        Assert.Contains("response timeout", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"gave up after {clock.Elapsed}");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(500), $"retried for only {clock.Elapsed}");
    }

    [Fact]
    public async Task CancellationStopsRetries()
    {
        await using var cluster = await DeployAsync(1);
        await using var client = await ClusterClient.ConnectAsync(Options(cluster.Silos[0].GatewayEndpoint) with
        {
            ResponseTimeout = TimeSpan.FromSeconds(30),
            MaxRetries = 10_000,
            RetryBackoff = TimeSpan.FromMilliseconds(50),
        });
        await cluster.KillSiloAsync(cluster.Silos[0]);
        await WaitUntilAsync(() => client.ConnectedSilo is null, "the client notices its gateway is gone");

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetGrain<IRetryProbeGrain>(NewKey("cancel")).Wait(cancellation.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"canceled only after {clock.Elapsed}");
    }

    [Fact]
    public async Task WithRetriesDisabledACallThatWasNeverSentFailsAtOnce()
    {
        await using var cluster = await DeployAsync(1);
        await using var client = await ClusterClient.ConnectAsync(Options(cluster.Silos[0].GatewayEndpoint) with { MaxRetries = 0 });
        await cluster.KillSiloAsync(cluster.Silos[0]);
        await WaitUntilAsync(() => client.ConnectedSilo is null, "the client notices its gateway is gone");

        var error = await Assert.ThrowsAsync<SiloUnavailableException>(() => client.GetGrain<IRetryProbeGrain>(NewKey("off")).Put());
        Assert.False(error.MayHaveExecuted);
        Assert.Contains("Retries are disabled.", error.Message);
    }
}
