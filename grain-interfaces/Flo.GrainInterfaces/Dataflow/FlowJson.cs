using System.Text.Json;

namespace Flo.Dataflow;

/// <summary>
/// The JSON settings of values between nodes and of node run payloads and results: web defaults (camelCase) plus
/// public fields, so tuples (<c>Item1</c>, <c>Item2</c>) travel as objects.
/// </summary>
public static class FlowJson
{
    /// <summary>The shared options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { IncludeFields = true };
}
