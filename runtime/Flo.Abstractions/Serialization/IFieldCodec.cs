using Flo.Invocation;
namespace Flo.Serialization;

/// <summary>Writes and reads values of one type as tagged fields.</summary>
public interface IFieldCodec<T>
{
    /// <summary>Writes <paramref name="value"/> as field <paramref name="fieldId"/> (tag included).</summary>
    void WriteField(WireWriter writer, uint fieldId, T value);

    /// <summary>Reads a value whose tag (with <paramref name="wireType"/>) was already read.</summary>
    T ReadValue(WireReader reader, WireType wireType);
}

/// <summary>
/// The codec of <typeparamref name="T"/>, resolved once and then read from a static field, so the
/// serialization hot path does no lookups.
/// </summary>
public static class Codec<T>
{
    private static IFieldCodec<T>? instance;

    /// <summary>The codec; throws <see cref="SerializationException"/> if the type cannot be serialized.</summary>
    public static IFieldCodec<T> Instance => instance ??= CodecRegistry.Resolve<T>();

    /// <summary>Sets the codec (generated code and tests).</summary>
    public static void Set(IFieldCodec<T> codec) => instance = codec;
}

/// <summary>Helpers for serializing a whole value as field 0 of a buffer (state, results).</summary>
public static class Serializer
{
    /// <summary>Serializes a value into a new byte array.</summary>
    public static byte[] SerializeToArray<T>(T value)
    {
        using var writer = new WireWriter();
        Codec<T>.Instance.WriteField(writer, 0, value);
        return writer.ToArray();
    }

    /// <summary>Serializes a value into the writer as field 0.</summary>
    public static void Serialize<T>(WireWriter writer, T value) => Codec<T>.Instance.WriteField(writer, 0, value);

    /// <summary>Deserializes a value written by <see cref="SerializeToArray{T}"/>.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> data, IGrainReferenceActivator? references = null)
    {
        var reader = new WireReader(data, references);
        return Deserialize<T>(reader);
    }

    /// <summary>Deserializes field 0 from the reader.</summary>
    public static T Deserialize<T>(WireReader reader)
    {
        try
        {
            var (_, wt) = reader.ReadTag();
            return Codec<T>.Instance.ReadValue(reader, wt);
        }
        catch (Exception e) when (e is not SerializationException and not OutOfMemoryException)
        {
            // Codecs of user types may throw anything on hostile input; callers handle one exception type.
            throw new SerializationException($"Data does not deserialize as {typeof(T).Name}: {e.Message}");
        }
    }

    /// <summary>Round-trips a value through the wire format: the isolation grain calls inside one silo rely on.</summary>
    public static T DeepCopy<T>(T value) => Deserialize<T>(SerializeToArray(value));
}
