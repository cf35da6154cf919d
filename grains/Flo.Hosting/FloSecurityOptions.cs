namespace Flo.Hosting;

/// <summary>
/// Access tokens (section <c>Cluster:Security</c>). With none configured the cluster is open, as it is by default on
/// one machine: whoever reaches the gateway, HTTP or RESP port may do anything. With any configured, the Orleans
/// gateway (<c>FloClientOptions.Token</c>), HTTP (<c>Authorization: Bearer</c>), RESP (<c>AUTH</c>) and the dashboard
/// require one, and a token reaches only its namespaces. <c>Cluster:HttpToken</c> is a shorthand for one read-write
/// token on <c>*</c>. See <c>docs/security.md</c>.
/// </summary>
public sealed class FloSecurityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = FloSiloOptions.Section + ":Security";

    /// <summary>
    /// The tokens (<c>Cluster:Security:Tokens:0:Token</c>, <c>...:Namespaces:0</c>, <c>...:Access</c>; environment
    /// <c>Cluster__Security__Tokens__0__Token</c>). The same token listed twice gets both grants. Default none.
    /// </summary>
    public List<FloTokenOptions> Tokens { get; set; } = [];

    /// <summary>
    /// A JSON file with more tokens, <c>{"Tokens": [{"Name": ..., "TokenSha256": ..., "Namespaces": [...], "Access": ...}]}</c>:
    /// a Kubernetes Secret mounted as a file, so tokens stay out of the pod spec and the environment. Read at start
    /// (roll the pods to change tokens). Default none.
    /// </summary>
    public string? TokensFile { get; set; }
}
