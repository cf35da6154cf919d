namespace Flo.Hosting;

/// <summary>One access token and what it grants. Set <see cref="Token"/> or <see cref="TokenSha256"/>.</summary>
public sealed class FloTokenOptions
{
    /// <summary>A label for logs and error messages (the token itself is never shown). Default <c>token-{n}</c>.</summary>
    public string? Name { get; set; }

    /// <summary>The token, at least <see cref="MinTokenLength"/> characters (e.g. <c>openssl rand -hex 32</c>).</summary>
    public string? Token { get; set; }

    /// <summary>
    /// The token's SHA-256 hash (of its UTF-8 bytes) in hex (<c>printf %s "$TOKEN" | sha256sum</c>), so the
    /// configuration need not hold the token.
    /// </summary>
    public string? TokenSha256 { get; set; }

    /// <summary>The namespaces granted: names (<c>orders</c>), or <c>*</c> for every namespace and the cluster-wide routes.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary><see cref="FloAccess.Read"/> or <see cref="FloAccess.ReadWrite"/>. Default Read.</summary>
    public FloAccess Access { get; set; } = FloAccess.Read;

    /// <summary>The shortest token accepted: a short one can be guessed.</summary>
    public const int MinTokenLength = 16;
}
