namespace Flo.Calls;

/// <summary>
/// Says why <see cref="FloClient.ConnectAsync"/> failed, from what Orleans reported and what the client's TLS saw. Orleans
/// only says a gateway "terminated prematurely" when it closed the connection during the handshake: a TLS silo does that
/// to a plain client, and to a TLS client whose certificate it refused.
/// </summary>
internal static class ConnectFailure
{
    public static string Describe(string gateways, FloClientOptions options, Exception error, string? refusedCertificate)
    {
        var what = $"Could not connect to the cluster through {gateways} within {options.ConnectTimeout.TotalSeconds:0.#} s";
        if (refusedCertificate is not null)
        {
            return $"{what}: the client refused the silo's TLS certificate {refusedCertificate} (FloClientOptions.Tls.CaPath names the authority it must chain to).";
        }
        if (Flatten(error).Any(e => e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused }))
        {
            return $"{what}: the connection was refused: no silo's gateway listens there (Cluster:Endpoints:GatewayPort).";
        }
        var closed = Flatten(error).Any(ClosedByPeer);
        if (closed && options.Tls is null)
        {
            return $"{what}: every gateway closed the connection during Orleans' handshake. A silo with TLS (Cluster:Tls:Enabled) does that to a client without TLS: set FloClientOptions.Tls.";
        }
        if (closed)
        {
            return $"{what}: every gateway closed the connection during the handshake. A silo does that when it refuses the client's certificate (Cluster:Tls:RequireClientCertificate: a certificate of the cluster's authority, within its dates, is needed in FloClientOptions.Tls.CertificatePath), or when it does not run TLS.";
        }
        if (error is OperationCanceledException)
        {
            // No attempt failed outright: they were all still under way (a slow or overloaded gateway, or a TLS handshake that never finished).
            return $"{what}: no gateway completed the handshake in time. Check that the gateways are reachable, and that TLS matches the silos (Cluster:Tls:Enabled needs FloClientOptions.Tls, with a client certificate under Cluster:Tls:RequireClientCertificate).";
        }
        var last = Flatten(error).Last();
        return $"{what}: {last.GetType().Name}: {last.Message}";
    }

    /// <summary>The gateway ended the connection: Orleans' "terminated prematurely", a reset, broken pipe or aborted connection, a failed TLS handshake.</summary>
    private static bool ClosedByPeer(Exception e) => e switch
    {
        System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionReset or System.Net.Sockets.SocketError.Shutdown or System.Net.Sockets.SocketError.ConnectionAborted } => true,
        System.Net.Sockets.SocketException socket => socket.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase),
        System.Security.Authentication.AuthenticationException or Microsoft.AspNetCore.Connections.ConnectionAbortedException or IOException => true,
        _ => e.Message.Contains("terminated prematurely", StringComparison.Ordinal),
    };

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
