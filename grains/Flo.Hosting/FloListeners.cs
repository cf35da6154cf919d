using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Flo.Hosting;

/// <summary>
/// The HTTP and RESP listeners of this silo. A port configured as 0 is chosen by the OS when Kestrel binds; the bound
/// port is read here afterwards (tests run several silos in one process this way).
/// </summary>
public sealed class FloListeners
{
    internal ListenOptions? Http { get; set; }

    internal ListenOptions? Resp { get; set; }

    /// <summary>The bound HTTP port (0 before the web host started).</summary>
    public int HttpPort => (Http?.EndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>The bound RESP port (0 before the web host started, or when RESP is off).</summary>
    public int RespPort => (Resp?.EndPoint as IPEndPoint)?.Port ?? 0;
}
