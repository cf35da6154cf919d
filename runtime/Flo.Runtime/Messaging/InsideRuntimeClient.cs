using Flo.Diagnostics;
using Flo.Messaging;
using Flo.Runtime.Hosting;

namespace Flo.Runtime.Messaging;

/// <summary>
/// The grain factory inside a silo. A call to a grain of this silo skips the network and framing but still
/// serializes its arguments and result, so caller and callee never share mutable objects.
/// </summary>
internal sealed class InsideRuntimeClient : RuntimeClientBase, IResponseSink
{
    private readonly SiloDetails silo;

    public InsideRuntimeClient(SiloDetails silo, TimeSpan responseTimeout)
        : base(FloDiagnostics.RuntimeSource, responseTimeout)
    {
        this.silo = silo;
    }

    /// <summary>The silo's pending calls: grain calls, forwarded requests and probes all wait here for responses.</summary>
    public CallbackRegistry Registry => Callbacks;

    /// <summary>Set once at silo construction.</summary>
    public Dispatcher Dispatcher { get; set; } = null!;

    protected override ValueTask SendAsync(Message message, PendingCall? call)
    {
        if (call is not null)
        {
            call.Destination = $"silo {silo.Name}";
        }
        Dispatcher.ReceiveRequest(message, call is null ? null : this);
        return ValueTask.CompletedTask;
    }

    public void SendResponse(Message response) => Callbacks.TryComplete(response);
}
