namespace Flo.Security;

/// <summary>Why the client last refused a silo's certificate (null: never), for the error of a failed connect.</summary>
internal sealed class TlsRefusals
{
    public volatile string? Last;
}
