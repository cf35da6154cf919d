namespace Flo.Queues;

/// <summary>Bad input to a queue operation: rejected before anything changed. HTTP 400 / RESP error.</summary>
[GenerateSerializer]
[Alias("flo.queue.error.argument")]
public sealed class QueueArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public QueueArgumentException(string message) : base(message) { }
}

/// <summary>
/// An ack, nack or touch named sequence numbers the queue does not hold (already acked, dead-lettered, never issued).
/// Nothing was changed in that partition. Wire: HTTP 404 <c>MessageNotFound</c>.
/// </summary>
[GenerateSerializer]
[Alias("flo.queue.error.message-not-found")]
public sealed class MessageNotFoundException : FloException
{
    /// <summary>Creates the exception.</summary>
    public MessageNotFoundException(string message) : base(message) { }
}

/// <summary>A touch named messages whose lease already ended (they may be with another consumer). HTTP 409 <c>LeaseExpired</c>.</summary>
[GenerateSerializer]
[Alias("flo.queue.error.lease-expired")]
public sealed class LeaseExpiredException : FloException
{
    /// <summary>Creates the exception.</summary>
    public LeaseExpiredException(string message) : base(message) { }
}
