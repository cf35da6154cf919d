namespace Flo.Grains.Dataflow;

/// <summary>How a silo's flow grains keep finished runs (bound from <c>Cluster:Dataflow</c> by the silo host).</summary>
public sealed class FlowGrainOptions
{
    /// <summary>
    /// How long a finished run (with its node grains and the values it passed by reference) is kept after it finished
    /// before the namespace's run index deletes it; null (the default): kept until deleted.
    /// </summary>
    public TimeSpan? FinishedRunRetention { get; set; }
}
