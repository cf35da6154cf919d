using System.Text;
using Flo.Actions;

namespace Flo.Security.Tests;

/// <summary>
/// With tokens required, the platform's own calls between grains still run: a run invoked and worked by a namespace's
/// token completes (dispatch partition, run grain and event hub call each other), a schedule fires (its reminder and
/// timer invoke the action), and management overviews work with a token granting <c>*</c>.
/// </summary>
[Trait("Category", "Security")]
[Collection(SecuredCollection.Name)]
public sealed class InternalCallsTests(SecuredCluster cluster)
{
    // A ceiling for a stuck run or schedule, not a measure: passing runs take a second or two.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AnActionRunCompletesAndAScheduleFires()
    {
        await using var client = await cluster.ConnectAsync(cluster.OrdersWriter, SecuredCluster.Orders);
        var action = $"secured-{Guid.NewGuid():N}";
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = client.NewActionWorker();
        worker.Action(action, ctx =>
        {
            if (ctx.IdempotencyKey?.StartsWith("schedule:", StringComparison.Ordinal) == true)
            {
                handled.TrySetResult(ctx.IdempotencyKey);
            }
            return Task.FromResult(Encoding.UTF8.GetBytes("done:" + ctx.Text));
        });
        await worker.StartAsync();

        var runId = await client.Action.InvokeAsync(action, "one"u8.ToArray());
        var run = await client.Action.WaitAsync(runId, Patience);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal("done:one", Encoding.UTF8.GetString(run.Result!));

        var schedule = await client.Schedule.IntervalAsync(action, TimeSpan.FromSeconds(1));
        Assert.StartsWith($"schedule:{schedule.Id}:", await handled.Task.WaitAsync(Patience));
        await client.Schedule.DeleteAsync(schedule.Id);

        // A reader of the namespace sees what happened; a reader of another does not.
        await using var reader = await cluster.ConnectAsync(cluster.OrdersReader, SecuredCluster.Orders);
        Assert.Equal(RunStatus.Completed, (await reader.Action.GetRunAsync(runId)).Status);
        await using var billing = await cluster.ConnectAsync(cluster.BillingWriter, SecuredCluster.Orders);
        await Assert.ThrowsAsync<FloAccessDeniedException>(() => billing.Action.GetRunAsync(runId));
    }

    [Fact]
    public async Task ManagementOverviewsWorkWithATokenGrantingEverything()
    {
        await using var writer = await cluster.ConnectAsync(cluster.OrdersWriter, SecuredCluster.Orders);
        await writer.Queue.EnqueueAsync("overview-queue", "x"u8.ToArray());
        await using var admin = await cluster.ConnectAsync(cluster.Admin, SecuredCluster.Orders);
        var overview = await admin.Management.ClusterAsync();
        Assert.Single(overview.Silos);
        Assert.Contains(SecuredCluster.Orders, await admin.Management.NamespacesAsync());
        Assert.Contains(await admin.Management.QueuesAsync(), q => q.Name == "overview-queue");
        Assert.True((await admin.Management.OverviewAsync()).Queues >= 1);
        Assert.True((await admin.Management.HealthAsync()).Healthy);
    }
}
