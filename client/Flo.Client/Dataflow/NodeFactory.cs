namespace Flo.Dataflow;

/// <summary>
/// A node type, called to make a node of a flow (the seed's <c>@node</c> function): <c>add(1, f["result"])</c>. Each
/// argument is a constant, another node (or one of its outputs, or a forward reference <c>f["name"]</c>), or
/// <see cref="Flow.Default"/>; parameters left out take their defaults. Nothing runs until the flow is started.
/// <see cref="Flow.TypeOf"/> gives the node type behind it.
/// </summary>
public delegate Node NodeFactory(params object?[] inputs);
