using System.Diagnostics;
using System.Text;
using Flo.Queues;

namespace Flo.Security.Tests;

/// <summary>
/// Tokens on the Orleans client connection: every refusal (no token, an unknown token, another namespace, a read-only
/// token writing) is a <see cref="FloAccessDeniedException"/> naming the namespace and the access missing, arrives at once
/// (never resent), and changes nothing; granted calls work.
/// </summary>
[Trait("Category", "Security")]
[Collection(SecuredCollection.Name)]
public sealed class OrleansClientAccessTests(SecuredCluster cluster)
{
    private static string NewKey() => $"k-{Guid.NewGuid():N}";

    [Fact]
    public async Task AGrantedTokenReadsAndWritesItsNamespace()
    {
        await using var writer = await cluster.ConnectAsync(cluster.OrdersWriter, SecuredCluster.Orders);
        await using var reader = await cluster.ConnectAsync(cluster.OrdersReader, SecuredCluster.Orders);
        var key = NewKey();
        await writer.Kv.PutAsync(key, "v1"u8.ToArray());
        Assert.Equal("v1", Encoding.UTF8.GetString((await reader.Kv.GetAsync(key))!.Value));
        var seq = await writer.Queue.EnqueueAsync("jobs", "j"u8.ToArray());
        Assert.Contains(await reader.Queue.PeekAsync("jobs", 10), m => m.Seq == seq);
    }

    [Fact]
    public async Task AScanIsAReadOfItsNamespace()
    {
        await using var writer = await cluster.ConnectAsync(cluster.OrdersWriter, SecuredCluster.Orders);
        await using var reader = await cluster.ConnectAsync(cluster.OrdersReader, SecuredCluster.Orders);
        await using var billing = await cluster.ConnectAsync(cluster.BillingWriter, SecuredCluster.Orders);
        var key = NewKey();
        await writer.Kv.PutAsync(key, "v"u8.ToArray());
        // The scan grain is keyed by the namespace: a read-only token of it may scan, another namespace's may not.
        Assert.Equal([key], (await reader.Kv.ScanAsync(key)).Keys);
        var denied = await RefusedAsync(() => billing.Kv.ScanAsync(key));
        Assert.Equal(FloAccessDenial.NotGranted, denied.Reason);
        Assert.Equal(SecuredCluster.Orders, denied.Namespace);
        Assert.False(denied.NeedsWrite);
    }

    [Fact]
    public async Task NoTokenIsRefusedAndChangesNothing()
    {
        await using var anonymous = await cluster.ConnectAsync(token: null, SecuredCluster.Orders);
        var key = NewKey();
        var denied = await RefusedAsync(() => anonymous.Kv.PutAsync(key, "x"u8.ToArray()));
        Assert.Equal(FloAccessDenial.NoToken, denied.Reason);
        Assert.Equal(SecuredCluster.Orders, denied.Namespace);
        Assert.True(denied.NeedsWrite);
        Assert.Contains("requires a token", denied.Message);
        Assert.Equal(FloAccessDenial.NoToken, (await RefusedAsync(() => anonymous.Kv.GetAsync(key))).Reason);
        await NothingAtAsync(key);
    }

    [Fact]
    public async Task AnUnknownTokenIsRefusedAndChangesNothing()
    {
        await using var stranger = await cluster.ConnectAsync("not-a-token-of-this-cluster", SecuredCluster.Orders);
        var key = NewKey();
        var denied = await RefusedAsync(() => stranger.Kv.PutAsync(key, "x"u8.ToArray()));
        Assert.Equal(FloAccessDenial.UnknownToken, denied.Reason);
        Assert.Contains("not one this cluster knows", denied.Message);
        Assert.DoesNotContain("not-a-token", denied.Message);
        await NothingAtAsync(key);
    }

    [Fact]
    public async Task AnotherNamespaceIsRefusedAndChangesNothing()
    {
        await using var billing = await cluster.ConnectAsync(cluster.BillingWriter, SecuredCluster.Orders);
        var key = NewKey();
        var denied = await RefusedAsync(() => billing.Kv.PutAsync(key, "x"u8.ToArray()));
        Assert.Equal(FloAccessDenial.NotGranted, denied.Reason);
        Assert.Equal(SecuredCluster.Orders, denied.Namespace);
        Assert.Contains("namespace 'orders'", denied.Message);
        Assert.Contains("'billing-writer'", denied.Message);
        // Reads, queues and streams of the other namespace alike.
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => billing.Kv.GetAsync(key))).Reason);
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => billing.Queue.EnqueueAsync("jobs", "x"u8.ToArray()))).Reason);
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => billing.Stream.AppendAsync("events", "x"u8.ToArray()))).Reason);
        await NothingAtAsync(key);
        // Its own namespace works on the same connection.
        await using var own = await cluster.ConnectAsync(cluster.BillingWriter, SecuredCluster.Billing);
        await own.Kv.PutAsync(key, "mine"u8.ToArray());
    }

    [Fact]
    public async Task AReadOnlyTokenWritingIsRefusedAndChangesNothing()
    {
        var key = NewKey();
        await using var admin = await cluster.ConnectAsync(cluster.Admin, SecuredCluster.Orders);
        await admin.Kv.PutAsync(key, "before"u8.ToArray());
        await using var reader = await cluster.ConnectAsync(cluster.OrdersReader, SecuredCluster.Orders);
        var denied = await RefusedAsync(() => reader.Kv.PutAsync(key, "after"u8.ToArray()));
        Assert.Equal(FloAccessDenial.NotGranted, denied.Reason);
        Assert.True(denied.NeedsWrite);
        Assert.Contains("write access to namespace 'orders'", denied.Message);
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => reader.Kv.DeleteAsync(key))).Reason);
        var queue = $"q-{Guid.NewGuid():N}";
        var seq = await admin.Queue.EnqueueAsync(queue, "one"u8.ToArray());
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => reader.Queue.EnqueueAsync(queue, "two"u8.ToArray()))).Reason);
        // A dequeue leases messages: a write.
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => reader.Queue.DequeueAsync(queue, 1))).Reason);
        var stream = $"s-{Guid.NewGuid():N}";
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => reader.Stream.AppendAsync(stream, "x"u8.ToArray()))).Reason);
        var entry = await admin.Kv.GetAsync(key);
        Assert.Equal("before", Encoding.UTF8.GetString(entry!.Value));
        Assert.Equal(1, entry.Version);
        // The one message, still visible (not leased); reading is granted.
        Assert.Equal([seq], (await reader.Queue.PeekAsync(queue, 10)).Select(m => m.Seq));
        Assert.Empty(await reader.Stream.ReadAsync(stream));
    }

    [Fact]
    public async Task ClusterWideCallsNeedATokenGrantingEverything()
    {
        await using var orders = await cluster.ConnectAsync(cluster.OrdersWriter, SecuredCluster.Orders);
        var denied = await RefusedAsync(() => orders.Management.ClusterAsync());
        Assert.Null(denied.Namespace);
        Assert.Contains("the whole cluster ('*')", denied.Message);
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => orders.Management.NamespacesAsync())).Reason);
        // Its own namespace's overview is its to read.
        await orders.Management.OverviewAsync();
        await using var auditor = await cluster.ConnectAsync(cluster.Auditor, SecuredCluster.Orders);
        Assert.NotEmpty((await auditor.Management.ClusterAsync()).Silos);
        Assert.Equal(FloAccessDenial.NotGranted, (await RefusedAsync(() => auditor.Kv.PutAsync(NewKey(), "x"u8.ToArray()))).Reason);
    }

    private static async Task<FloAccessDeniedException> RefusedAsync(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var denied = await Assert.ThrowsAsync<FloAccessDeniedException>(call);
        // A refusal is an answer: the client passes it on instead of resending it until its response timeout ends.
        Assert.True(Stopwatch.GetElapsedTime(started) < PlatformTestCluster.TestResponseTimeout, $"refused after {Stopwatch.GetElapsedTime(started)}");
        return denied;
    }

    private async Task NothingAtAsync(string key)
    {
        await using var admin = await cluster.ConnectAsync(cluster.Admin, SecuredCluster.Orders);
        Assert.Null(await admin.Kv.GetAsync(key));
    }
}
