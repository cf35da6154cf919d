using Flo.Dataflow.Internal;

namespace Flo.Dataflow;

/// <summary>
/// A node type (the seed's <c>@node</c>): a named async function whose parameters are its inputs and whose result is
/// its output. Declared with <see cref="Flow.Node"/> or <see cref="Flow.StatefulNode{TState}"/>, which read the
/// function once (parameter names, types, defaults, tuple element names) and compile its call.
/// </summary>
/// <remarks>
/// Parameters of type <see cref="CancellationToken"/> are not inputs: they get the generation's token (cancelled when
/// the run stops or the worker is lost). A parameter of type <c>IAsyncEnumerable&lt;T&gt;</c> is a streamed input (the
/// seed's <c>stream_in</c>): it reads the producer's parts as they come. A function returning
/// <c>IAsyncEnumerable&lt;T&gt;</c> streams its output (the seed's async generator): each item is a part, and consumers
/// that do not stream get the parts added up (strings concatenated, numbers summed, otherwise the last part).
/// </remarks>
public sealed class NodeType
{
    private readonly List<int> tokenArguments = [];
    private NodeFactory? factory;

    internal NodeType(string name, Delegate run, NodeOptions options, Type? stateType, Func<object?>? createState)
    {
        FlowLimits.ValidateNodeTypeName(name);
        ArgumentNullException.ThrowIfNull(run);
        Name = name;
        Options = options;
        StateType = stateType;
        CreateState = createState;
        var declared = run.Method.GetParameters();
        var invoked = run.GetType().GetMethod("Invoke")!.GetParameters();
        var parameters = new List<NodeParameter>();
        var readers = new List<Func<IFlowNodeGrain, string, int, int, CancellationToken, object>?>();
        for (var i = 0; i < invoked.Length; i++)
        {
            var type = invoked[i].ParameterType;
            if (type.IsByRef)
            {
                throw new FlowArgumentException($"Node type '{name}': parameter {i + 1} is by reference; node inputs are values.");
            }
            if (i == 0 && stateType is not null)
            {
                if (!type.IsAssignableFrom(stateType))
                {
                    throw new FlowArgumentException($"Node type '{name}': the first parameter must take the state ({TypeNames.Of(stateType)}); it is {TypeNames.Of(type)}.");
                }
                continue;
            }
            if (type == typeof(CancellationToken))
            {
                tokenArguments.Add(i);
                continue;
            }
            var info = i < declared.Length && declared.Length == invoked.Length ? declared[i] : invoked[i];
            var hasDefault = info.HasDefaultValue || invoked[i].HasDefaultValue;
            var defaultValue = DefaultOf(type, info.HasDefaultValue ? info.DefaultValue : invoked[i].DefaultValue, hasDefault);
            var streamOf = NodeInvoker.Generic(type, typeof(IAsyncEnumerable<>));
            parameters.Add(new NodeParameter(string.IsNullOrEmpty(info.Name) ? $"arg{i}" : info.Name, type, streamOf, hasDefault, defaultValue, i));
            readers.Add(streamOf is null ? null : NodeInvoker.Helper<Func<IFlowNodeGrain, string, int, int, CancellationToken, object>>(typeof(NodeStreams), nameof(NodeStreams.Read), streamOf));
        }
        Parameters = parameters;
        StreamReaders = readers;
        Invoker = NodeInvoker.For(run);
        Shape = NodeOutputShape.For(Invoker.ValueType, run.Method, options.MultipleOutputs);
        Signature = $"{name}({string.Join(", ", parameters)})";
    }

    /// <summary>The node type's name (its action is <c>flow:{Name}</c>; unique per namespace).</summary>
    public string Name { get; }

    /// <summary>How it runs.</summary>
    public NodeOptions Options { get; }

    /// <summary>Its inputs, in order.</summary>
    public IReadOnlyList<NodeParameter> Parameters { get; }

    /// <summary>Whether it streams its output.</summary>
    public bool Streaming => Invoker.Streaming;

    /// <summary>The type of its value (of each part, for a streaming node).</summary>
    public Type ValueType => Invoker.ValueType;

    /// <summary>Its outputs: <c>value</c>, then a tuple's or record's elements.</summary>
    public IReadOnlyList<string> Outputs => Shape.Ports;

    /// <summary>Its signature: <c>Increment(int value = 0)</c>.</summary>
    public string Signature { get; }

    /// <summary>A stateful node type's state type (null otherwise).</summary>
    public Type? StateType { get; }

    /// <summary>Makes a node of this type (see <see cref="NodeFactory"/>).</summary>
    public Node Call(params object?[]? inputs) => new(this, inputs ?? [null]);

    /// <summary>This node type as the callable <see cref="NodeFactory"/>.</summary>
    public NodeFactory Factory => factory ??= Call;

    internal Func<object?>? CreateState { get; }

    internal NodeInvoker Invoker { get; }

    internal NodeOutputShape Shape { get; }

    /// <summary>Per parameter: how a streamed input is read (null for other inputs).</summary>
    internal IReadOnlyList<Func<IFlowNodeGrain, string, int, int, CancellationToken, object>?> StreamReaders { get; }

    /// <summary>Where the function takes cancellation tokens.</summary>
    internal IReadOnlyList<int> TokenArguments => tokenArguments;

    /// <summary>The type of output port <paramref name="port"/> (0: the whole value).</summary>
    internal Type PortType(int port) => port == 0 ? ValueType : Shape.Types[port - 1];

    /// <inheritdoc/>
    public override string ToString() => Signature;

    private static object? DefaultOf(Type type, object? value, bool hasDefault)
    {
        if (!hasDefault)
        {
            return null;
        }
        if (value is null or DBNull or System.Reflection.Missing)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
        }
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsEnum && value.GetType() != target ? Enum.ToObject(target, value) : value;
    }
}
