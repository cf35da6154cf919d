using System.Runtime.CompilerServices;
using Flo.Errors;

namespace Flo.Queues;

/// <summary>
/// An ack, nack or touch named sequence numbers the queue does not hold (already acked, dead-lettered, never issued).
/// Nothing was changed in that partition. Wire: HTTP 404 <c>MessageNotFound</c>.
/// </summary>
public sealed class MessageNotFoundException(string message) : FloException(message);

/// <summary>A touch named messages whose lease already ended (they may be with another consumer). HTTP 409 <c>LeaseExpired</c>.</summary>
public sealed class LeaseExpiredException(string message) : FloException(message);

/// <summary>Registers the queue exception types so a grain's errors arrive typed.</summary>
internal static class QueueErrors
{
#pragma warning disable CA2255 // Registering wire error types when the contract assembly loads is the point: no caller can forget it.
    [ModuleInitializer]
    internal static void Register()
    {
        RemoteExceptionMapper.Register<MessageNotFoundException>(m => new MessageNotFoundException(m));
        RemoteExceptionMapper.Register<LeaseExpiredException>(m => new LeaseExpiredException(m));
    }
#pragma warning restore CA2255
}
