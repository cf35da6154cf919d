using System.Globalization;

namespace Flo.Dataflow;

/// <summary>C#-like type names for messages (<c>int</c>, <c>List&lt;string&gt;</c>, <c>(int, int)</c>).</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> Aliases = new()
    {
        [typeof(int)] = "int", [typeof(long)] = "long", [typeof(short)] = "short", [typeof(byte)] = "byte",
        [typeof(uint)] = "uint", [typeof(ulong)] = "ulong", [typeof(bool)] = "bool", [typeof(string)] = "string",
        [typeof(double)] = "double", [typeof(float)] = "float", [typeof(decimal)] = "decimal", [typeof(object)] = "object",
        [typeof(char)] = "char", [typeof(void)] = "void",
    };

    public static string Of(Type type)
    {
        if (Aliases.TryGetValue(type, out var alias))
        {
            return alias;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Of(underlying) + "?";
        }
        if (type.IsArray)
        {
            return Of(type.GetElementType()!) + "[]";
        }
        if (!type.IsGenericType)
        {
            return type.Name;
        }
        var args = type.GetGenericArguments().Select(Of);
        if (type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
        {
            return $"({string.Join(", ", args)})";
        }
        var name = type.Name;
        var tick = name.IndexOf('`');
        return $"{(tick > 0 ? name[..tick] : name)}<{string.Join(", ", args)}>";
    }

    public static string Literal(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
