namespace Flo.Hosting;

/// <summary>Flows in a silo: the configuration section <c>Cluster:Dataflow</c>.</summary>
public sealed class FloDataflowSiloOptions
{
    /// <summary>
    /// Paths of assemblies whose node types this silo runs itself (every public <c>IFlowNodeTypes</c> class in them),
    /// e.g. <c>--Cluster:Dataflow:NodeAssemblies:0=/app/MyFlows.dll</c>: their generations need no worker. Every silo
    /// should load the same ones. Default none.
    /// </summary>
    public string[] NodeAssemblies { get; set; } = [];

    /// <summary>
    /// An output port of a silo-run node whose JSON is larger (UTF-8 bytes) is stored in the namespace's KV store and
    /// passed by reference; default 64 KiB, 0: never. (Workers have their own: <c>FlowWorkerOptions.ValueByReferenceBytes</c>.)
    /// </summary>
    public int ValueByReferenceBytes { get; set; } = Flo.Dataflow.FlowValueRefs.DefaultThresholdBytes;

    /// <summary>
    /// How long finished flow runs are kept (with their node grains and values passed by reference) before their
    /// namespace's run index deletes them, e.g. <c>7.00:00:00</c>; default none: kept until deleted
    /// (<c>client.Flow.DeleteAsync</c>, <c>DELETE /v1/ns/{ns}/flows/runs/{id}</c>).
    /// </summary>
    public TimeSpan? FinishedRunRetention { get; set; }
}
