using Flo.Dataflow;

namespace Flo.Samples.Dataflow;

/// <summary>
/// The seed's type check: <c>SomeNode(SomeNode("hello"))</c> passes an <c>int</c> output to a <c>str</c> input, which
/// the seed's type checker reports; here the flow is refused when built, naming both nodes, the parameter and the types.
/// </summary>
public static class TypeMismatch
{
    /// <summary>Refused: <c>int</c> into <c>string_input: string</c>.</summary>
    public static FlowDefinition Build()
    {
        var someNode = Flow.Node("SomeNode", async (string string_input) => 42);
        var f = new FlowBuilder("type-mismatch");
        f["d"] = someNode(someNode("hello"));
        return f.Build();
    }

    /// <summary>The right way round: <c>SomeIntNode(SomeNode("hello"))</c>.</summary>
    public static FlowDefinition BuildMatching()
    {
        var someNode = Flow.Node("SomeNode", async (string string_input) => 42);
        var someIntNode = Flow.Node("SomeIntNode", async (int int_input) => int_input + 1);
        var f = new FlowBuilder("type-match");
        f["c"] = someIntNode(someNode("hello"));
        return f.Build();
    }
}
