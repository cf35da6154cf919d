namespace Flo;

/// <summary>
/// Base class of every error the platform raises on purpose. Each area derives its own types (KV, queues, streams),
/// and every one is <c>[GenerateSerializer]</c> so it crosses the wire typed, with its properties.
/// </summary>
[GenerateSerializer]
[Alias("flo.error")]
public class FloException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FloException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public FloException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>
/// Bad input, rejected before anything was stored or changed. Each area throws its own subtype
/// (<see cref="Kv.KvArgumentException"/>, <see cref="Queues.QueueArgumentException"/>,
/// <see cref="Streams.StreamArgumentException"/>); catch this type to handle all of them. HTTP 400, a RESP error.
/// </summary>
[GenerateSerializer]
[Alias("flo.error.argument")]
public class InvalidArgumentException : FloException
{
    /// <summary>Creates the exception.</summary>
    public InvalidArgumentException(string message) : base(message) { }
}
