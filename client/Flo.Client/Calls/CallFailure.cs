using System.Reflection;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Flo.Calls;

/// <summary>
/// Sorts the exception a grain call ended with into what the client may do about it.
/// </summary>
/// <remarks>
/// <para>How Orleans 10 reports a failed call, read from its source (<c>src/Orleans.Core/Messaging/ClientMessageCenter.cs</c>,
/// <c>Networking/ClientOutboundConnection.cs</c>, <c>Networking/Connection.cs</c>, <c>Networking/ConnectionManager.cs</c>,
/// <c>Runtime/OutsideRuntimeClient.cs</c>, <c>Runtime/CallbackData.cs</c>, <c>Messaging/GatewayManager.cs</c>, and on the
/// silo <c>Messaging/MessageCenter.cs</c>, <c>Networking/SiloConnection.cs</c>, <c>Networking/GatewayInboundConnection.cs</c>):</para>
/// <list type="bullet">
/// <item><b>Rejections</b> are responses the messaging layer makes instead of the grain. <c>CallbackData</c> turns one into
/// <see cref="GatewayTooBusyException"/> (gateway shedding load before dispatch), into the exception the rejection
/// carries, or else into a plain <see cref="OrleansMessageRejectionException"/>. The plain ones all come from places that
/// never hand the request to a grain: on the client "No gateways available" (no live gateway in
/// <c>GatewayManager</c>) and "Client is rejecting message ... Retry count exceeded" (queued on a connection that closed
/// before writing it); on a silo "Exception while sending message" (no connection to the target silo), "The target
/// silo is no longer active" (addressed to an older incarnation), "outbound queue was stopped", failed forwarding and
/// activation lookups. So a plain rejection means <b>not executed</b>: safe to resend whatever the method.</item>
/// <item><see cref="ConnectionFailedException"/> (and a <see cref="System.Net.Sockets.SocketException"/> such as
/// connection refused) arrives as the exception of the client's own rejection "Unable to send message due to
/// exception": the connection to the gateway could not be opened, and a message is written to a connection only
/// after it is open. <b>Not executed.</b></item>
/// <item><see cref="SiloUnavailableException"/> derives from <see cref="OrleansMessageRejectionException"/> but is
/// different: a silo returns it for a request that was <i>in flight</i> on a silo-to-silo connection that broke
/// (<c>SiloConnection.FailMessage</c>: the bytes may have reached the target before it died), as well as for targets
/// already known dead; on the client it also means the client itself is stopping. The two silo cases look alike, so it
/// counts as <b>may have executed</b>.</item>
/// <item><see cref="TimeoutException"/> from <c>CallbackData.OnTimeout</c>: no response within the response timeout. The
/// request may have run (or still be running). When the gateway carrying a call dies, the Orleans client does not
/// break the call (it only fails calls to a dead <i>target</i> silo on silos); it times out. <b>May have executed.</b></item>
/// <item>A grain's own nested call can fail with a rejection that the grain lets escape; it then reaches the client as the
/// grain's exception, of the same type as a rejection of the client's own call, although the grain ran. The
/// difference: an exception thrown in a grain crosses the wire with its stack trace and is rebuilt with a remote stack
/// trace (<c>ExceptionCodec</c>), while rejections of the client's call are created by the messaging layer and never
/// thrown remotely. A rejection with a remote stack trace therefore counts as <b>may have executed</b>.</item>
/// <item>Everything else (the grain's own exceptions: <see cref="FloException"/> and its subtypes, argument errors) is an
/// answer from the grain: <b>definitive</b>, passed through untouched. So are <see cref="ObjectDisposedException"/>
/// and <see cref="OperationCanceledException"/> (the client is shutting down, or the call's own token fired).</item>
/// </list>
/// </remarks>
internal static class CallFailure
{
    /// <summary>What a failure says about the call.</summary>
    public enum Kind
    {
        /// <summary>The grain answered (with an exception); pass it on.</summary>
        Definitive,

        /// <summary>Certainly not executed: resend while time remains.</summary>
        NotExecuted,

        /// <summary>May have executed: resend only idempotent methods.</summary>
        MaybeExecuted,
    }

    private static readonly FieldInfo? RemoteStackTrace =
        typeof(Exception).GetField("_remoteStackTraceString", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Classifies <paramref name="exception"/>, the exception a call attempt ended with.</summary>
    public static Kind Classify(Exception exception) => exception switch
    {
        SiloUnavailableException => Kind.MaybeExecuted,
        GatewayTooBusyException => Kind.NotExecuted,
        OrleansMessageRejectionException when CameFromGrainCode(exception) => Kind.MaybeExecuted,
        OrleansMessageRejectionException => Kind.NotExecuted,
        ConnectionFailedException => Kind.NotExecuted,
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused } => Kind.NotExecuted,
        TimeoutException => Kind.MaybeExecuted,
        _ => Kind.Definitive,
    };

    /// <summary>True when the exception was thrown on a silo and serialized back (it carries a remote stack trace).</summary>
    internal static bool CameFromGrainCode(Exception exception)
        => RemoteStackTrace?.GetValue(exception) is string { Length: > 0 };
}
