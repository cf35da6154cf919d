namespace Flo;

/// <summary>
/// <see cref="FloClient.ConnectAsync"/> could not connect: no gateway completed Orleans' handshake within
/// <see cref="FloClientOptions.ConnectTimeout"/>. The message says what the connections saw, with the likely cause: a
/// gateway that closes every connection during the handshake is a TLS silo (<c>Cluster:Tls:Enabled</c>) met without
/// <see cref="FloClientOptions.Tls"/>, or one that refused the client's certificate; a silo certificate the client
/// refused is named with why. <see cref="Exception.InnerException"/> is Orleans' last error.
/// </summary>
public sealed class FloConnectException : FloException
{
    /// <summary>Creates the exception.</summary>
    public FloConnectException(string message, Exception? inner) : base(message, inner)
    {
    }
}
