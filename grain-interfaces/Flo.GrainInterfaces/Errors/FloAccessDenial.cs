namespace Flo;

/// <summary>Why a request was refused by the cluster's access tokens (<c>Cluster:Security</c>).</summary>
public enum FloAccessDenial
{
    /// <summary>The cluster requires a token and the request carried none (HTTP 401, RESP <c>-NOAUTH</c>).</summary>
    NoToken = 0,

    /// <summary>The token is not one the cluster knows (HTTP 401, RESP <c>-WRONGPASS</c>).</summary>
    UnknownToken = 1,

    /// <summary>The token is known but does not grant what the request needs: another namespace, or a write with a read-only token (HTTP 403, RESP <c>-NOPERM</c>).</summary>
    NotGranted = 2,
}
