using System.Collections.Concurrent;
using Flo.Messaging;
using Flo.Serialization;

namespace Flo.Errors;

/// <summary>
/// Turns exceptions into (status, type name, message) on the silo and back into typed exceptions on the caller.
/// Features register their own exception types so clients get <c>VersionConflict</c> rather than a generic error.
/// </summary>
public static class RemoteExceptionMapper
{
    private static readonly ConcurrentDictionary<string, Func<string, Exception>> Factories = new(StringComparer.Ordinal);

    static RemoteExceptionMapper()
    {
        Register<InconsistentStateException>(m => new InconsistentStateException(m));
        Register<GrainCallTimeoutException>(m => new GrainCallTimeoutException(m));
        Register<GrainNotFoundException>(m => new GrainNotFoundException(m));
        Register<SiloUnavailableException>(m => new SiloUnavailableException(m));
        Register<MessageRejectedException>(m => new MessageRejectedException(m));
        Register<SerializationException>(m => new SerializationException(m));
        Register<ArgumentException>(m => new ArgumentException(m));
        Register<ArgumentNullException>(m => new ArgumentNullException(null, m));
        Register<ArgumentOutOfRangeException>(m => new ArgumentOutOfRangeException(null, m));
        Register<InvalidOperationException>(m => new InvalidOperationException(m));
        Register<NotSupportedException>(m => new NotSupportedException(m));
        Register<NotImplementedException>(m => new NotImplementedException(m));
        Register<KeyNotFoundException>(m => new KeyNotFoundException(m));
        Register<FormatException>(m => new FormatException(m));
        Register<TimeoutException>(m => new TimeoutException(m));
        Register<OperationCanceledException>(m => new OperationCanceledException(m));
        Register<TaskCanceledException>(m => new TaskCanceledException(m));
    }

    /// <summary>Registers how to rebuild an exception type from its message on the caller's side.</summary>
    public static void Register<TException>(Func<string, Exception> factory) where TException : Exception
        => Factories[typeof(TException).FullName!] = factory;

    /// <summary>
    /// Fills the error fields of a response from an exception raised after the request may have started executing
    /// (a grain method threw, or the connection to the silo running it was lost): the status is never
    /// <see cref="ResponseStatus.Unavailable"/>, which promises the caller that nothing executed.
    /// </summary>
    public static void FillExecuted(Message response, Exception exception) => Fill(response, exception, requestStarted: true);

    /// <summary>Fills the error fields of a response from an exception.</summary>
    /// <param name="response">The response to fill.</param>
    /// <param name="exception">What went wrong.</param>
    /// <param name="requestStarted">
    /// True when the exception comes out of the grain method (the request ran). A <see cref="SiloUnavailableException"/>
    /// is then an application error, not <see cref="ResponseStatus.Unavailable"/>: that status promises the request
    /// never started and lets callers resend any call, while a grain that let an inner call's error escape did run.
    /// </param>
    public static void Fill(Message response, Exception exception, bool requestStarted = false)
    {
        response.Status = exception switch
        {
            GrainCallTimeoutException => ResponseStatus.Timeout,
            GrainNotFoundException => ResponseStatus.NotFound,
            MessageRejectedException or SerializationException => ResponseStatus.Rejected,
            SiloUnavailableException when !requestStarted => ResponseStatus.Unavailable,
            _ => ResponseStatus.ApplicationError,
        };
        response.ErrorType = exception.GetType().FullName;
        response.ErrorMessage = exception.Message;
    }

    /// <summary>Rebuilds the exception a failed response describes.</summary>
    public static Exception ToException(Message response)
    {
        var message = response.ErrorMessage ?? response.Status.ToString();
        if (response.Status == ResponseStatus.Unavailable)
        {
            // By contract no grain started the request, whatever exception the silo named.
            return new SiloUnavailableException(message, mayHaveExecuted: false);
        }
        if (response.ErrorType is { } type && Factories.TryGetValue(type, out var factory))
        {
            return factory(message);
        }
        return response.Status switch
        {
            ResponseStatus.Timeout => new GrainCallTimeoutException(message),
            ResponseStatus.NotFound => new GrainNotFoundException(message),
            ResponseStatus.Rejected => new MessageRejectedException(message),
            _ => new GrainCallException(response.ErrorType ?? "unknown", message),
        };
    }
}
