namespace Flo.Serialization;

/// <summary>Data could not be serialized or deserialized (malformed bytes, missing codec).</summary>
public sealed class SerializationException(string message) : FloException(message);
