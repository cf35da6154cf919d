namespace Flo;

/// <summary>
/// A request refused by the cluster's access tokens before it ran: nothing was read or changed. Thrown to an Orleans
/// client by the silo (the client passes it on unchanged and never resends it); HTTP answers it as 401/403
/// problem+json, RESP as <c>-NOAUTH</c>, <c>-WRONGPASS</c> or <c>-NOPERM</c>. See <c>docs/security.md</c>.
/// </summary>
[GenerateSerializer]
[Alias("flo.error.access-denied")]
public sealed class FloAccessDeniedException : FloException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the request was refused.</param>
    /// <param name="namespace">The namespace the request needed, or null for a cluster-wide request (one that needs a token granting <c>*</c>).</param>
    /// <param name="needsWrite">Whether the request needed write access (else read).</param>
    /// <param name="operation">What was asked (<c>IKvKeyGrain.Put</c>, <c>PUT /v1/ns/orders/kv/a</c>), for the message.</param>
    /// <param name="tokenName">The name of the token that was presented, when known (never the token itself).</param>
    public FloAccessDeniedException(FloAccessDenial reason, string? @namespace, bool needsWrite, string operation, string? tokenName = null)
        : base(Describe(reason, @namespace, needsWrite, operation, tokenName))
    {
        Reason = reason;
        Namespace = @namespace;
        NeedsWrite = needsWrite;
    }

    /// <summary>Why the request was refused.</summary>
    [Id(0)]
    public FloAccessDenial Reason { get; }

    /// <summary>The namespace the request needed; null for a cluster-wide request (needs a token granting <c>*</c>).</summary>
    [Id(1)]
    public string? Namespace { get; }

    /// <summary>Whether the request needed write access (false: read).</summary>
    [Id(2)]
    public bool NeedsWrite { get; }

    /// <summary>The message for a refusal: what was asked, what it needed and what the token lacked.</summary>
    public static string Describe(FloAccessDenial reason, string? @namespace, bool needsWrite, string operation, string? tokenName = null)
    {
        var needed = $"{(needsWrite ? "write" : "read")} access to {(@namespace is null ? "the whole cluster ('*')" : $"namespace '{@namespace}'")}";
        return reason switch
        {
            FloAccessDenial.NoToken => $"Access denied: {operation} needs {needed} and this cluster requires a token; none was sent.",
            FloAccessDenial.UnknownToken => $"Access denied: {operation} needs {needed} and the token sent is not one this cluster knows.",
            _ => $"Access denied: {operation} needs {needed}, which token '{tokenName ?? "(unnamed)"}' does not grant.",
        };
    }
}
