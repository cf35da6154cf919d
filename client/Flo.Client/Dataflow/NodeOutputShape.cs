using System.Linq.Expressions;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Flo.Dataflow;

/// <summary>
/// A node type's outputs: port 0 is the whole value; a tuple's elements, a record's properties (or any type's, with
/// <see cref="NodeOptions.MultipleOutputs"/>) follow as ports 1..n, addressable by index or name. Also how a stream's
/// parts add up to its final value. Accessors are compiled once.
/// </summary>
internal sealed class NodeOutputShape
{
    private readonly Func<object, object?>[] accessors;

    private NodeOutputShape(Type valueType, IReadOnlyList<(string Name, Type Type, Func<object, object?> Get)> members)
    {
        ValueType = valueType;
        Names = [.. members.Select(m => m.Name)];
        Types = [.. members.Select(m => m.Type)];
        accessors = [.. members.Select(m => m.Get)];
        (Seed, Accumulate) = Accumulator(valueType);
    }

    /// <summary>The value's type.</summary>
    public Type ValueType { get; }

    /// <summary>The element outputs' names (ports 1..n).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The element outputs' types.</summary>
    public IReadOnlyList<Type> Types { get; }

    /// <summary>Every port's name: <c>value</c>, then the elements.</summary>
    public IReadOnlyList<string> Ports => ["value", .. Names];

    /// <summary>A stream's final value before any part (empty string, zero, or null).</summary>
    public object? Seed { get; }

    /// <summary>Adds a part to a stream's final value: strings are concatenated, numbers summed, anything else replaced by the last part.</summary>
    public Func<object?, object?, object?> Accumulate { get; }

    /// <summary>The JSON of every port of <paramref name="value"/>.</summary>
    public string[] Serialize(object? value)
    {
        var ports = new string[1 + accessors.Length];
        ports[0] = JsonSerializer.Serialize(value, ValueType, FlowJson.Options);
        for (var k = 0; k < accessors.Length; k++)
        {
            ports[k + 1] = value is null ? "null" : JsonSerializer.Serialize(accessors[k](value), Types[k], FlowJson.Options);
        }
        return ports;
    }

    /// <summary>The outputs of a function producing <paramref name="valueType"/> (tuple names from the function's return).</summary>
    public static NodeOutputShape For(Type valueType, MethodInfo method, bool multipleOutputs)
    {
        if (valueType.IsGenericType && valueType.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal) && valueType.GetGenericArguments().Length <= 7)
        {
            var names = method.ReturnParameter.GetCustomAttribute<TupleElementNamesAttribute>()?.TransformNames;
            var elements = valueType.GetGenericArguments();
            var members = elements.Select((t, i) =>
            {
                var field = valueType.GetField($"Item{i + 1}")!;
                var name = names is not null && i < names.Count && names[i] is { } named ? named : field.Name;
                return (name, t, Getter(valueType, field));
            }).ToList();
            return new NodeOutputShape(valueType, members);
        }
        if (valueType != typeof(string) && !valueType.IsPrimitive && (multipleOutputs || IsRecord(valueType)))
        {
            var properties = valueType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                .OrderBy(p => p.MetadataToken)
                .ToList();
            // A record's positional parameters give the order a reader expects (as its deconstruction does).
            var positional = valueType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()?.GetParameters();
            if (positional is { Length: > 0 } && positional.All(p => properties.Any(q => q.Name == p.Name)))
            {
                properties = [.. positional.Select(p => properties.First(q => q.Name == p.Name)), .. properties.Where(q => positional.All(p => p.Name != q.Name))];
            }
            return new NodeOutputShape(valueType, [.. properties.Select(p => (p.Name, p.PropertyType, Getter(valueType, p)))]);
        }
        return new NodeOutputShape(valueType, []);
    }

    private static bool IsRecord(Type type) => type.GetProperty("EqualityContract", BindingFlags.NonPublic | BindingFlags.Instance) is not null;

    private static Func<object, object?> Getter(Type owner, MemberInfo member)
    {
        var value = Expression.Parameter(typeof(object), "value");
        var access = Expression.MakeMemberAccess(Expression.Convert(value, owner), member);
        return Expression.Lambda<Func<object, object?>>(Expression.Convert(access, typeof(object)), value).Compile();
    }

    private static (object? Seed, Func<object?, object?, object?> Accumulate) Accumulator(Type type)
    {
        if (type == typeof(string))
        {
            return ("", (a, p) => string.Concat((string?)a, (string?)p));
        }
        if (type.IsValueType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(INumber<>) && i.GetGenericArguments()[0] == type))
        {
            var zero = NodeInvoker.Helper<Func<object?>>(typeof(NodeOutputShape), nameof(Zero), type)();
            return (zero, NodeInvoker.Helper<Func<object?, object?, object?>>(typeof(NodeOutputShape), nameof(Sum), type));
        }
        return (type.IsValueType ? Activator.CreateInstance(type) : null, (_, p) => p);
    }

    private static object? Zero<T>() where T : INumber<T> => T.Zero;

    private static object? Sum<T>(object? a, object? b) where T : INumber<T> => (T)a! + (T)b!;
}
