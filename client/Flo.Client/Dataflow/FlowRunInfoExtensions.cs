using System.Text.Json;

namespace Flo.Dataflow;

/// <summary>Typed reads of the JSON values in run and node views.</summary>
public static class FlowRunInfoExtensions
{
    /// <summary>The last value of node <paramref name="node"/> as <typeparamref name="T"/> (the seed's <c>f.node.get_data()</c>); default when it has none.</summary>
    public static T? ValueOf<T>(this FlowRunInfo run, string node)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Node(node).ValueJson is { } json ? JsonSerializer.Deserialize<T>(json, FlowJson.Options) : default;
    }

    /// <summary>The last completed generation of node <paramref name="node"/>, or null.</summary>
    public static FlowGeneration? GenerationOf(this FlowRunInfo run, string node)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Node(node).Generation;
    }

    /// <summary>The node's last value as <typeparamref name="T"/>; default when it has none.</summary>
    public static T? Value<T>(this FlowNodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ValueJson is { } json ? JsonSerializer.Deserialize<T>(json, FlowJson.Options) : default;
    }

    /// <summary>A stateful node's state as <typeparamref name="T"/>; default when it has none.</summary>
    public static T? State<T>(this FlowNodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.StateJson is { } json ? JsonSerializer.Deserialize<T>(json, FlowJson.Options) : default;
    }
}
