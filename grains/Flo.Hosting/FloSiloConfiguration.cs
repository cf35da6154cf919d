using System.Net;
using System.Net.Sockets;
using Flo.Storage;
using Microsoft.Extensions.Configuration;

namespace Flo.Hosting;

/// <summary>Reads the <c>Cluster</c> section where a silo is being composed (before DI can hand out options).</summary>
internal static class FloSiloConfiguration
{
    /// <summary>The ADO.NET invariant of Npgsql, which Orleans' ADO.NET providers look up.</summary>
    public const string PostgresInvariant = "Npgsql";

    public static FloSiloOptions Read(IConfiguration configuration)
        => configuration.GetSection(FloSiloOptions.Section).Get<FloSiloOptions>() ?? new FloSiloOptions();

    public static FloStorageOptions ReadStorage(IConfiguration configuration)
        => configuration.GetSection(FloSiloOptions.Section + ":Storage").Get<FloStorageOptions>() ?? new FloStorageOptions();

    /// <summary>This host's first IPv4 address that is not loopback (what other pods and machines reach it at).</summary>
    public static IPAddress FirstHostAddress()
        => Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
           ?? IPAddress.Loopback;
}
