using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>A namespace's flow runs as its index stores them: one summary per run, by run id.</summary>
[GenerateSerializer]
[Alias("flo.flow.run-index-state")]
public sealed class FlowRunIndexState
{
    [Id(0)] public Dictionary<string, FlowRunSummary> Runs { get; set; } = new(StringComparer.Ordinal);
}
