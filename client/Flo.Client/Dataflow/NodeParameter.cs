namespace Flo.Dataflow;

/// <summary>One input of a node type: a parameter of its function (state and cancellation token parameters excepted).</summary>
public sealed class NodeParameter
{
    internal NodeParameter(string name, Type type, Type? streamOf, bool hasDefault, object? defaultValue, int argument)
    {
        Name = name;
        Type = type;
        StreamOf = streamOf;
        HasDefault = hasDefault;
        DefaultValue = defaultValue;
        Argument = argument;
    }

    /// <summary>The parameter's name.</summary>
    public string Name { get; }

    /// <summary>The parameter's type.</summary>
    public Type Type { get; }

    /// <summary>For a streamed input (<c>IAsyncEnumerable&lt;T&gt;</c>, the seed's <c>stream_in</c>): <c>T</c>; else null.</summary>
    public Type? StreamOf { get; }

    /// <summary>Whether it reads its producer's parts as they are streamed.</summary>
    public bool IsStream => StreamOf is not null;

    /// <summary>The type of the values it takes: <see cref="StreamOf"/> for a stream, else <see cref="Type"/>.</summary>
    public Type ValueType => StreamOf ?? Type;

    /// <summary>Whether it has a default value (which can start a cycle).</summary>
    public bool HasDefault { get; }

    /// <summary>The default value.</summary>
    public object? DefaultValue { get; }

    /// <summary>Its position among the function's parameters.</summary>
    internal int Argument { get; }

    /// <summary>As in the signature: <c>int value = 0</c>.</summary>
    public override string ToString() => HasDefault
        ? $"{TypeNames.Of(Type)} {Name} = {TypeNames.Literal(DefaultValue)}"
        : $"{TypeNames.Of(Type)} {Name}";
}
