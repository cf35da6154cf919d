using Flo.Messaging;
using Flo.Runtime.Messaging;

namespace Flo.Runtime.Membership;

/// <summary>Direct and indirect liveness probes over the silo connections (what the failure detector votes on).</summary>
internal sealed class SiloProber(SiloConnectionManager connections, CallbackRegistry callbacks)
{
    /// <summary>Pings a silo; true when it answered within <paramref name="timeout"/>.</summary>
    public Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
        => SendAsync(target, new Message { Kind = MessageKind.Ping }, timeout, cancellationToken);

    /// <summary>
    /// Asks <paramref name="intermediary"/> to ping <paramref name="target"/>: true when the target answered it. A
    /// network problem between this silo and the target alone then does not get the target declared dead.
    /// </summary>
    public Task<bool> ProbeIndirectlyAsync(SiloAddress intermediary, SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
        => SendAsync(intermediary, new Message { Kind = MessageKind.IndirectProbe, ProbeTarget = target.ToString(), TimeoutMs = (int)timeout.TotalMilliseconds }, timeout * 2, cancellationToken);

    private async Task<bool> SendAsync(SiloAddress target, Message message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var call = callbacks.Register(timeout, target.ToString(), message.Kind.ToString(), null);
        message.RequestId = call.RequestId;
        try
        {
            await connections.SendAsync(target, message, call, cancellationToken).ConfigureAwait(false);
            var response = await call.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return response.Status == ResponseStatus.Ok;
        }
        catch (Exception e) when (e is FloException or TimeoutException)
        {
            callbacks.Fail(call.RequestId, e);
            return false;
        }
    }
}
