using System.Net;
using System.Net.Sockets;

namespace Flo.Hosting;

/// <summary>Gateway addresses as users write them: <c>host:port</c>, <c>10.0.0.5:9000</c>, <c>[::1]:9000</c>.</summary>
internal static class GatewayAddress
{
    /// <summary>Splits <paramref name="gateway"/> into host and port; false (with the reason) when it is not host:port.</summary>
    public static bool TryParse(string? gateway, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        var text = gateway?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "a gateway is empty";
            return false;
        }
        var separator = text.LastIndexOf(':');
        if (separator <= 0 || separator == text.Length - 1)
        {
            error = $"gateway '{text}' is not host:port";
            return false;
        }
        if (!int.TryParse(text.AsSpan(separator + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is <= 0 or > 65535)
        {
            error = $"gateway '{text}' has no valid port (1 to 65535)";
            return false;
        }
        host = text[..separator];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            error = $"gateway '{text}' is an IPv6 address without brackets; write [address]:port";
            return false;
        }
        if (host.Length == 0)
        {
            error = $"gateway '{text}' has no host";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>Parses and resolves every gateway (IPv4 preferred for host names); throws <see cref="ArgumentException"/> on the first bad one.</summary>
    public static IPEndPoint[] ResolveAll(IReadOnlyList<string> gateways, string parameterName)
    {
        var endpoints = new IPEndPoint[gateways.Count];
        for (var i = 0; i < gateways.Count; i++)
        {
            if (!TryParse(gateways[i], out var host, out var port, out var error))
            {
                throw new ArgumentException($"Gateways: {error}.", parameterName);
            }
            var address = IPAddress.TryParse(host, out var ip)
                ? ip
                : Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                  ?? throw new ArgumentException($"Gateways: host '{host}' did not resolve to an address.", parameterName);
            endpoints[i] = new IPEndPoint(address, port);
        }
        return endpoints;
    }
}
