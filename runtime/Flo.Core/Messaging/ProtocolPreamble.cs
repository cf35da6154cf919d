namespace Flo.Messaging;

/// <summary>
/// The first bytes a Flo client sends. The first byte is not printable ASCII, so a port can tell Flo clients from
/// text protocols (RESP, HTTP) by sniffing it.
/// </summary>
public static class ProtocolPreamble
{
    /// <summary>Magic and protocol version 1.</summary>
    public static ReadOnlySpan<byte> Bytes => [0xF1, (byte)'F', (byte)'L', 0x01];

    /// <summary>Magic and protocol version 1 of the silo-to-silo port (a client can never reach it by mistake).</summary>
    public static ReadOnlySpan<byte> SiloBytes => [0xF1, (byte)'F', (byte)'S', 0x01];

    /// <summary>Length of the preamble.</summary>
    public const int Length = 4;
}
