using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>What a flow run knows of one of its nodes to schedule it.</summary>
public sealed class FlowNodeView
{
    /// <summary>The last completed generation (-1: none).</summary>
    public int Completed { get; set; } = -1;

    /// <summary>The highest generation handed to the node (running when above <see cref="Completed"/>).</summary>
    public int Dispatched { get; set; } = -1;

    /// <summary>The outputs of <see cref="Completed"/> by port, as JSON.</summary>
    public IReadOnlyList<string> Outputs { get; set; } = [];

    /// <summary>Whether the node failed (it runs no more).</summary>
    public bool Failed { get; set; }

    /// <summary>The failed generation.</summary>
    public int FailedGeneration { get; set; } = -1;

    /// <summary>The error of a failed node.</summary>
    public string? Error { get; set; }

    /// <summary>Whether a generation is running.</summary>
    public bool IsRunning => !Failed && Dispatched > Completed;
}
