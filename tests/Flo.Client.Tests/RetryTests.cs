using System.Diagnostics;
using Flo.Client.Tests.Grains;
using Flo.Client.Tests.Infrastructure;

namespace Flo.Client.Tests;

/// <summary>
/// The client's retry rules against real silos (three, over TCP): idempotent calls survive a dead gateway and a timeout,
/// a non-idempotent call that timed out says it may have executed.
/// </summary>
[Trait("Category", "Client")]
public sealed class RetryTests(ThreeSiloCluster fixture) : IClassFixture<ThreeSiloCluster>
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task Idempotent_call_survives_its_gateway_silo_being_killed_and_succeeds_on_another_silo()
    {
        var cluster = fixture.Cluster;
        var secondaries = cluster.SecondarySilos.ToList();
        await using var client = await fixture.ConnectAsync(secondaries, fixture.Options(responseTimeout: TimeSpan.FromSeconds(3), deadline: TimeSpan.FromSeconds(30)));
        var key = "kill-" + Guid.NewGuid().ToString("N");
        var grain = client.Grains.GetGrain<IRetryProbeGrain>(key);

        // Prefer-local placement puts the grain on the gateway silo that carried the call: one of the secondaries.
        var before = await grain.Where();
        var victim = secondaries.Single(s => s.SiloAddress.Endpoint.Port == before);

        var call = grain.SlowRead(1_000);
        await Probe.Started(key).WaitAsync(Budget);
        await cluster.KillSiloAsync(victim);

        var after = await call.WaitAsync(Budget);
        Assert.NotEqual(before, after);
        Assert.Contains(cluster.GetActiveSilos(), s => s.SiloAddress.Endpoint.Port == after);
        Assert.True(Probe.ExecutionsOf(key) >= 2, "the read ran again on a surviving silo");
    }

    [Fact]
    public async Task Non_idempotent_call_that_timed_out_surfaces_CallOutcomeUnknownException_and_is_not_resent()
    {
        await using var client = await fixture.ConnectAsync(fixture.Cluster.SecondarySilos, fixture.Options(responseTimeout: TimeSpan.FromSeconds(1), deadline: TimeSpan.FromSeconds(20)));
        var key = "timeout-" + Guid.NewGuid().ToString("N");
        var grain = client.Grains.GetGrain<IRetryProbeGrain>(key);
        await grain.Where();   // activated: the call below starts at once instead of expiring in the activation's queue

        var started = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CallOutcomeUnknownException>(() => grain.Add(3_000));
        started.Stop();

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(nameof(IRetryProbeGrain.Add), error.MethodName);
        Assert.Contains(key, error.GrainId);
        Assert.Contains(nameof(IRetryProbeGrain.Add), error.Message);
        Assert.Contains(key, error.Message);
        Assert.False(error.IsIdempotent);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(2.5), $"surfaced after the first timeout, not after retries ({started.Elapsed})");

        // The grain did run it, once: the client did not resend.
        await Probe.Finished(key).WaitAsync(Budget);
        Assert.Equal(1, Probe.ExecutionsOf(key));
    }

    [Fact]
    public async Task Idempotent_call_that_timed_out_is_resent_within_its_deadline()
    {
        await using var client = await fixture.ConnectAsync(fixture.Cluster.SecondarySilos, fixture.Options(responseTimeout: TimeSpan.FromSeconds(1), deadline: TimeSpan.FromSeconds(10)));
        var key = "slow-first-" + Guid.NewGuid().ToString("N");
        var grain = client.Grains.GetGrain<IRetryProbeGrain>(key);
        await grain.Where();   // activated: the first attempt runs at once instead of expiring in the activation's queue
        using var retries = new RetryEvents(nameof(IRetryProbeGrain.SlowOnFirstCall));

        // The first execution outlasts the 1 s response timeout; the resend answers at once.
        var execution = await grain.SlowOnFirstCall(5_000).WaitAsync(Budget);

        Assert.Equal(2, execution);
        Assert.True(retries.Count >= 1);
    }

    [Fact]
    public async Task Idempotent_call_whose_deadline_passed_surfaces_CallOutcomeUnknownException_marked_idempotent()
    {
        await using var client = await fixture.ConnectAsync(fixture.Cluster.SecondarySilos, fixture.Options(responseTimeout: TimeSpan.FromMilliseconds(500), deadline: TimeSpan.FromMilliseconds(700)));
        var key = "deadline-" + Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<CallOutcomeUnknownException>(() => client.Grains.GetGrain<IRetryProbeGrain>(key).SlowRead(3_000));

        Assert.True(error.IsIdempotent);
        Assert.IsType<TimeoutException>(error.InnerException);
    }
}
