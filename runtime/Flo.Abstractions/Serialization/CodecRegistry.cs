using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Flo.Serialization;

/// <summary>
/// Where codecs are found. Generated code registers its types from a module initializer; primitives are built in;
/// generic shapes (arrays, lists, sets, dictionaries, nullables, enums) are composed here once per closed type, the
/// first time that type is serialized. After that, <see cref="Codec{T}.Instance"/> is a static field read.
/// </summary>
public static class CodecRegistry
{
    private static readonly ConcurrentDictionary<Type, object> Codecs = new();

    static CodecRegistry()
    {
        BuiltInCodecs.RegisterAll();
    }

    /// <summary>Registers a codec for <typeparamref name="T"/>.</summary>
    public static void Register<T>(IFieldCodec<T> codec)
    {
        Codecs[typeof(T)] = codec;
        Codec<T>.Set(codec);
    }

    /// <summary>Whether a codec is known without composing one.</summary>
    public static bool IsRegistered(Type type) => Codecs.ContainsKey(type);

    internal static IFieldCodec<T> Resolve<T>()
    {
        if (Codecs.TryGetValue(typeof(T), out var existing))
        {
            return (IFieldCodec<T>)existing;
        }

        // The type's own assembly may not have run its module initializer yet.
        RuntimeHelpers.RunModuleConstructor(typeof(T).Module.ModuleHandle);
        if (Codecs.TryGetValue(typeof(T), out existing))
        {
            return (IFieldCodec<T>)existing;
        }

        var composed = Compose(typeof(T))
            ?? throw new SerializationException($"No codec for type {typeof(T)}. Mark it [GenerateSerializer] and give its members [Id(n)].");
        Codecs.TryAdd(typeof(T), composed);
        return (IFieldCodec<T>)Codecs[typeof(T)];
    }

    // Runs once per closed generic type; the result is cached in Codec<T>, so this is not on the hot path.
    [UnconditionalSuppressMessage("Trimming", "IL2055", Justification = "Codec types are preserved by the runtime assembly.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Codec composition is a one-time start-up cost.")]
    private static object? Compose(Type type)
    {
        if (type.IsInterface && typeof(IAddressable).IsAssignableFrom(type))
        {
            return Activator.CreateInstance(typeof(Flo.Invocation.GrainReferenceCodec<>).MakeGenericType(type));
        }
        if (type.IsEnum)
        {
            return Activator.CreateInstance(typeof(EnumCodec<>).MakeGenericType(type));
        }
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return Activator.CreateInstance(typeof(ArrayCodec<>).MakeGenericType(type.GetElementType()!));
        }
        if (!type.IsGenericType)
        {
            return null;
        }
        var def = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        if (def == typeof(Nullable<>))
        {
            return Activator.CreateInstance(typeof(NullableCodec<>).MakeGenericType(args));
        }
        if (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>) || def == typeof(ICollection<>)
            || def == typeof(IReadOnlyCollection<>) || def == typeof(IEnumerable<>))
        {
            return Activator.CreateInstance(typeof(ListCodec<,>).MakeGenericType(type, args[0]));
        }
        if (def == typeof(HashSet<>) || def == typeof(ISet<>) || def == typeof(IReadOnlySet<>))
        {
            return Activator.CreateInstance(typeof(HashSetCodec<,>).MakeGenericType(type, args[0]));
        }
        if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>))
        {
            return Activator.CreateInstance(typeof(DictionaryCodec<,,>).MakeGenericType(type, args[0], args[1]));
        }
        if (def == typeof(SortedDictionary<,>))
        {
            return Activator.CreateInstance(typeof(SortedDictionaryCodec<,>).MakeGenericType(args));
        }
        if (def == typeof(KeyValuePair<,>))
        {
            return Activator.CreateInstance(typeof(KeyValuePairCodec<,>).MakeGenericType(args));
        }
        return null;
    }
}
