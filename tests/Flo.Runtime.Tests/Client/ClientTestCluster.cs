using Flo.Client;
using Flo.TestGrains.Runtime;
using Flo.TestingHost;

namespace Flo.Runtime.Tests.Client;

/// <summary>Small helpers for the client failover tests: clusters on memory storage and polling with a deadline.</summary>
internal static class ClientTestCluster
{
    public static Task<TestCluster> DeployAsync(int silos)
    {
        var options = new TestClusterOptions { InitialSilosCount = silos };
        options.GrainAssemblies.Add(typeof(RetryProbeGrain).Assembly);
        return TestCluster.DeployAsync(options);
    }

    /// <summary>A client of the given gateways with the list refresh off unless a test turns it on.</summary>
    public static ClusterClientOptions Options(params string[] gateways) => new()
    {
        Gateways = gateways,
        ResponseTimeout = TimeSpan.FromSeconds(20),
        // Enough retries to outlast failure detection when the grain lived on the killed silo (its calls are
        // answered Unavailable until the cluster declares the silo dead).
        MaxRetries = 50,
        GatewayListRefreshPeriod = Timeout.InfiniteTimeSpan,
    };

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
            await Task.Delay(20);
        }
    }

    public static string NewKey(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
