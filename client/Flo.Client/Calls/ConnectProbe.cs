using Microsoft.Extensions.Logging;

namespace Flo.Calls;

/// <summary>
/// Keeps the last failed gateway connection attempt that Orleans' connection manager logs while
/// <see cref="FloClient.ConnectAsync"/> waits: Orleans retries such a gateway without end and reports nothing to the
/// caller, so when the connect deadline passes this is what says why (see <see cref="ConnectFailure"/>).
/// </summary>
internal sealed class ConnectProbe : ILoggerProvider, ILogger
{
    private volatile Exception? lastFailure;

    /// <summary>The exception of the last failed connection attempt; null when none failed.</summary>
    public Exception? LastFailure => lastFailure;

    public ILogger CreateLogger(string categoryName)
        => categoryName.EndsWith(".ConnectionManager", StringComparison.Ordinal) ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (exception is not null && logLevel >= LogLevel.Warning)
        {
            lastFailure = exception;
        }
    }

    public void Dispose()
    {
    }
}
