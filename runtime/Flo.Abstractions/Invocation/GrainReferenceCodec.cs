using Flo.Serialization;

namespace Flo.Invocation;

/// <summary>Grain references travel as (interface id, key) and come back as proxies bound to the receiver's runtime.</summary>
public sealed class GrainReferenceCodec<T> : IFieldCodec<T> where T : class, IAddressable
{
    /// <inheritdoc/>
    public void WriteField(WireWriter writer, uint fieldId, T value)
    {
        if (value is null)
        {
            writer.WriteNull(fieldId);
            return;
        }
        if (value is not GrainReference reference)
        {
            throw new SerializationException($"Only grain references can be sent, not a grain instance ({value.GetType()}). Use GrainFactory.GetGrain to get a reference.");
        }
        writer.WriteStartObject(fieldId);
        writer.WriteUInt64Field(0, reference.Interface.Id);
        writer.WriteStringField(1, reference.Key);
        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public T ReadValue(WireReader reader, WireType wireType)
    {
        if (wireType == WireType.Null)
        {
            return null!;
        }
        WireReader.Expect(wireType, WireType.StartObject);
        reader.EnterNested();
        uint interfaceId = 0;
        string key = "";
        while (true)
        {
            var (id, wt) = reader.ReadTag();
            if (wt == WireType.EndObject)
            {
                break;
            }
            switch (id)
            {
                case 0: WireReader.Expect(wt, WireType.VarInt); interfaceId = (uint)reader.ReadVarUInt64(); break;
                case 1: key = reader.ReadLengthPrefixedStringOrNull(wt) ?? ""; break;
                default: reader.Skip(wt); break;
            }
        }
        reader.ExitNested();
        var activator = reader.References ?? throw new SerializationException("This reader cannot create grain references.");
        return (T)(object)activator.CreateReference(interfaceId, key);
    }
}
