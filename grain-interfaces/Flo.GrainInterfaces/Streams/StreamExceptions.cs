namespace Flo.Streams;

/// <summary>Bad input to a stream operation: rejected before anything changed. HTTP 400 / RESP error.</summary>
[GenerateSerializer]
[Alias("flo.stream.error.argument")]
public sealed class StreamArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public StreamArgumentException(string message) : base(message) { }
}

/// <summary>A group read, ack or claim named a consumer group that does not exist. HTTP 404 <c>GroupNotFound</c>.</summary>
[GenerateSerializer]
[Alias("flo.stream.error.group-not-found")]
public sealed class GroupNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public GroupNotFoundException(string message) : base(message) { }
}
