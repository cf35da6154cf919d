using System.IO.Pipelines;
using System.Threading.Channels;
using Flo.Serialization;
using Microsoft.Extensions.Logging;

namespace Flo.Messaging;

/// <summary>
/// One multiplexed connection: any number of concurrent requests and responses share it, correlated by request id.
/// Senders enqueue messages; a single write loop encodes whatever is queued into the pipe and flushes once the
/// queue is empty, so frames are batched under load without a timer. A single read loop parses frames and hands
/// them to <see cref="OnMessage"/>. A malformed or oversized frame closes this connection only.
/// </summary>
public abstract partial class Connection : IAsyncDisposable
{
    private readonly IDuplexPipe transport;
    private readonly Channel<Message> outbound = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource closing = new();
    private readonly TaskCompletionSource<Exception?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int closeStarted;

    /// <summary>Wraps a transport.</summary>
    protected Connection(IDuplexPipe transport, int maxMessageSize, ILogger logger, string remoteDescription)
    {
        this.transport = transport;
        MaxMessageSize = maxMessageSize;
        Logger = logger;
        RemoteDescription = remoteDescription;
    }

    /// <summary>Largest accepted frame.</summary>
    public int MaxMessageSize { get; }

    /// <summary>Logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Who is at the other end (for logs and errors).</summary>
    public string RemoteDescription { get; protected set; }

    /// <summary>Completes when the connection closed; the value is the reason, if it failed.</summary>
    public Task<Exception?> Closed => closed.Task;

    /// <summary>Whether the connection is still usable.</summary>
    public bool IsOpen => Volatile.Read(ref closeStarted) == 0;

    /// <summary>Queues a message for sending. Returns false once the connection is closing.</summary>
    public bool TrySend(Message message) => outbound.Writer.TryWrite(message);

    /// <summary>Handles one incoming message on the read loop. Must not block.</summary>
    protected abstract void OnMessage(Message message);

    /// <summary>Called once when the connection closes.</summary>
    protected virtual void OnClosed(Exception? reason) { }

    /// <summary>Runs the read and write loops until either ends, then closes.</summary>
    public async Task RunAsync()
    {
        var writing = WriteLoopAsync();
        var reading = ReadLoopAsync();
        var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
        var reason = first.Exception?.GetBaseException();
        Close(reason);
        try
        {
            await Task.WhenAll(reading, writing).ConfigureAwait(false);
        }
        catch
        {
            // Already reported through Close.
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = transport.Input;
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var result = await input.ReadAsync(closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (MessageCodec.TryRead(ref buffer, MaxMessageSize, out var message))
                    {
                        OnMessage(message!);
                    }
                }
                catch (MessageRejectedException e)
                {
                    LogRejected(Logger, RemoteDescription, e.Message);
                    input.AdvanceTo(buffer.Start, buffer.End);
                    throw;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = transport.Output;
        using var scratch = new WireWriter();
        var reader = outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    MessageCodec.Write(message, scratch, output);
                    if (output.UnflushedBytes > 256 * 1024)
                    {
                        var r = await output.FlushAsync(closing.Token).ConfigureAwait(false);
                        if (r.IsCompleted)
                        {
                            return;
                        }
                    }
                }
                var flush = await output.FlushAsync(closing.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (closing.IsCancellationRequested)
        {
        }
        finally
        {
            await output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes the connection (idempotent) and reports the reason to <see cref="OnClosed"/>.</summary>
    public void Close(Exception? reason = null)
    {
        if (Interlocked.Exchange(ref closeStarted, 1) != 0)
        {
            return;
        }
        outbound.Writer.TryComplete();
        closing.Cancel();
        transport.Input.CancelPendingRead();
        try
        {
            OnClosed(reason);
        }
        finally
        {
            closed.TrySetResult(reason);
        }
    }

    /// <inheritdoc/>
    public virtual ValueTask DisposeAsync()
    {
        // The token source is not disposed: the loops may still be unwinding on it, and it holds no timer.
        Close();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection with {Remote}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string remote, string reason);
}
