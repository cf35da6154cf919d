using Flo.Messaging;

namespace Flo.Runtime.Messaging;

/// <summary>Where the response of a request goes: a gateway connection, or a pending call of this silo.</summary>
internal interface IResponseSink
{
    void SendResponse(Message response);
}
