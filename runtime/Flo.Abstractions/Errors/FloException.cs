namespace Flo;

/// <summary>Base class of every error the platform raises on purpose.</summary>
public class FloException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FloException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public FloException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A grain call did not complete within its response timeout. The message names the grain, method and silo.</summary>
public sealed class GrainCallTimeoutException(string message) : FloException(message);

/// <summary>The target grain type, interface or method is not known to the silo.</summary>
public sealed class GrainNotFoundException(string message) : FloException(message);

/// <summary>A message was malformed or too large.</summary>
public sealed class MessageRejectedException(string message) : FloException(message);

/// <summary>
/// A grain method threw an exception type that the caller cannot reconstruct; carries the remote type name and message.
/// </summary>
public sealed class GrainCallException(string remoteType, string message) : FloException($"{remoteType}: {message}")
{
    /// <summary>Full name of the exception type thrown in the grain.</summary>
    public string RemoteType { get; } = remoteType;

    /// <summary>The remote exception's message.</summary>
    public string RemoteMessage { get; } = message;
}
