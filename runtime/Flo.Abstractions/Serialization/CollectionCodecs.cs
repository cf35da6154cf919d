using System.Runtime.CompilerServices;

namespace Flo.Serialization;

#pragma warning disable CS1591

/// <summary>Enums travel as their underlying integer (zig-zag varint).</summary>
public sealed class EnumCodec<T> : IFieldCodec<T> where T : struct, Enum
{
    public void WriteField(WireWriter writer, uint fieldId, T value) => writer.WriteInt64Field(fieldId, ToInt64(value));

    public T ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.VarInt);
        return FromInt64(reader.ReadVarInt64());
    }

    private static long ToInt64(T value) => Unsafe.SizeOf<T>() switch
    {
        1 => Unsafe.As<T, byte>(ref value),
        2 => Unsafe.As<T, short>(ref value),
        4 => Unsafe.As<T, int>(ref value),
        _ => Unsafe.As<T, long>(ref value),
    };

    private static T FromInt64(long value)
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 1: { var b = (byte)value; return Unsafe.As<byte, T>(ref b); }
            case 2: { var s = (short)value; return Unsafe.As<short, T>(ref s); }
            case 4: { var i = (int)value; return Unsafe.As<int, T>(ref i); }
            default: return Unsafe.As<long, T>(ref value);
        }
    }
}

public sealed class NullableCodec<T> : IFieldCodec<T?> where T : struct
{
    public void WriteField(WireWriter writer, uint fieldId, T? value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        Codec<T>.Instance.WriteField(writer, fieldId, value.Value);
    }

    public T? ReadValue(WireReader reader, WireType wireType)
        => wireType == WireType.Null ? null : Codec<T>.Instance.ReadValue(reader, wireType);
}

/// <summary>Shared list layout: count, then each element as field 0.</summary>
public static class ListLayout
{
    public static void Write<T>(WireWriter writer, uint fieldId, IReadOnlyCollection<T> items)
    {
        var codec = Codec<T>.Instance;
        writer.WriteStartList(fieldId, items.Count);
        if (items is List<T> list)
        {
            // Indexed: an interface foreach would box the list's enumerator on every write of a grain state.
            for (var i = 0; i < list.Count; i++)
            {
                codec.WriteField(writer, 0, list[i]);
            }
            return;
        }
        foreach (var item in items)
        {
            codec.WriteField(writer, 0, item);
        }
    }

    public static void Read<T>(WireReader reader, int count, ICollection<T> into)
    {
        var codec = Codec<T>.Instance;
        for (var i = 0; i < count; i++)
        {
            var (_, wt) = reader.ReadTag();
            into.Add(codec.ReadValue(reader, wt));
        }
    }
}

public sealed class ArrayCodec<T> : IFieldCodec<T[]>
{
    public void WriteField(WireWriter writer, uint fieldId, T[] value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        ListLayout.Write(writer, fieldId, value);
    }

    public T[] ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }
        WireReader.Expect(wireType, WireType.List);
        reader.EnterNested();
        var count = reader.ReadListCount();
        var result = new T[count];
        var codec = Codec<T>.Instance;
        for (var i = 0; i < count; i++)
        {
            var (_, wt) = reader.ReadTag();
            result[i] = codec.ReadValue(reader, wt);
        }
        reader.ExitNested();
        return result;
    }
}

/// <summary>List&lt;T&gt; and the read-only/enumerable interfaces it satisfies.</summary>
public sealed class ListCodec<TCollection, T> : IFieldCodec<TCollection> where TCollection : IEnumerable<T>
{
    public void WriteField(WireWriter writer, uint fieldId, TCollection value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        var items = value as IReadOnlyCollection<T> ?? value.ToList();
        ListLayout.Write(writer, fieldId, items);
    }

    public TCollection ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return default!;
        }
        WireReader.Expect(wireType, WireType.List);
        reader.EnterNested();
        var count = reader.ReadListCount();
        var list = new List<T>(count);
        ListLayout.Read(reader, count, list);
        reader.ExitNested();
        return (TCollection)(object)list;
    }
}

public sealed class HashSetCodec<TCollection, T> : IFieldCodec<TCollection> where TCollection : IEnumerable<T>
{
    public void WriteField(WireWriter writer, uint fieldId, TCollection value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        ListLayout.Write(writer, fieldId, value as IReadOnlyCollection<T> ?? value.ToList());
    }

    public TCollection ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return default!;
        }
        WireReader.Expect(wireType, WireType.List);
        reader.EnterNested();
        var count = reader.ReadListCount();
        var set = new HashSet<T>(count);
        ListLayout.Read(reader, count, set);
        reader.ExitNested();
        return (TCollection)(object)set;
    }
}

/// <summary>Dictionaries travel as a list of alternating keys and values.</summary>
public sealed class DictionaryCodec<TDictionary, TKey, TValue> : IFieldCodec<TDictionary>
    where TDictionary : IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    public void WriteField(WireWriter writer, uint fieldId, TDictionary value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        DictionaryLayout.Write(writer, fieldId, value);
    }

    public TDictionary ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return default!;
        }
        var dict = new Dictionary<TKey, TValue>();
        DictionaryLayout.Read(reader, wireType, dict);
        return (TDictionary)(object)dict;
    }
}

public sealed class SortedDictionaryCodec<TKey, TValue> : IFieldCodec<SortedDictionary<TKey, TValue>> where TKey : notnull
{
    public void WriteField(WireWriter writer, uint fieldId, SortedDictionary<TKey, TValue> value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        DictionaryLayout.Write(writer, fieldId, value);
    }

    public SortedDictionary<TKey, TValue> ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }
        var dict = new SortedDictionary<TKey, TValue>();
        DictionaryLayout.Read(reader, wireType, dict);
        return dict;
    }
}

public static class DictionaryLayout
{
    public static void Write<TKey, TValue>(WireWriter writer, uint fieldId, IEnumerable<KeyValuePair<TKey, TValue>> value)
        where TKey : notnull
    {
        var kc = Codec<TKey>.Instance;
        var vc = Codec<TValue>.Instance;
        if (value is Dictionary<TKey, TValue> dictionary)
        {
            // The struct enumerator: an interface foreach would box it on every write of a grain state.
            writer.WriteStartList(fieldId, dictionary.Count * 2);
            foreach (var pair in dictionary)
            {
                kc.WriteField(writer, 0, pair.Key);
                vc.WriteField(writer, 0, pair.Value);
            }
            return;
        }
        var pairs = value as IReadOnlyCollection<KeyValuePair<TKey, TValue>> ?? value.ToList();
        writer.WriteStartList(fieldId, pairs.Count * 2);
        foreach (var pair in pairs)
        {
            kc.WriteField(writer, 0, pair.Key);
            vc.WriteField(writer, 0, pair.Value);
        }
    }

    public static void Read<TKey, TValue>(WireReader reader, WireType wireType, IDictionary<TKey, TValue> into)
    {
        WireReader.Expect(wireType, WireType.List);
        reader.EnterNested();
        var count = reader.ReadListCount();
        if (count % 2 != 0)
        {
            throw new SerializationException("Dictionary list must hold key/value pairs.");
        }
        var kc = Codec<TKey>.Instance;
        var vc = Codec<TValue>.Instance;
        for (var i = 0; i < count; i += 2)
        {
            var (_, kwt) = reader.ReadTag();
            var key = kc.ReadValue(reader, kwt);
            var (_, vwt) = reader.ReadTag();
            into[key] = vc.ReadValue(reader, vwt);
        }
        reader.ExitNested();
    }
}

public sealed class KeyValuePairCodec<TKey, TValue> : IFieldCodec<KeyValuePair<TKey, TValue>>
{
    public void WriteField(WireWriter writer, uint fieldId, KeyValuePair<TKey, TValue> value)
    {
        writer.WriteStartObject(fieldId);
        Codec<TKey>.Instance.WriteField(writer, 0, value.Key);
        Codec<TValue>.Instance.WriteField(writer, 1, value.Value);
        writer.WriteEndObject();
    }

    public KeyValuePair<TKey, TValue> ReadValue(WireReader reader, WireType wireType)
    {
        WireReader.Expect(wireType, WireType.StartObject);
        reader.EnterNested();
        TKey key = default!;
        TValue value = default!;
        while (true)
        {
            var (id, wt) = reader.ReadTag();
            if (wt == WireType.EndObject)
            {
                break;
            }
            switch (id)
            {
                case 0: key = Codec<TKey>.Instance.ReadValue(reader, wt); break;
                case 1: value = Codec<TValue>.Instance.ReadValue(reader, wt); break;
                default: reader.Skip(wt); break;
            }
        }
        reader.ExitNested();
        return new KeyValuePair<TKey, TValue>(key, value);
    }
}
