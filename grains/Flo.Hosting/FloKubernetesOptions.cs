namespace Flo.Hosting;

/// <summary>
/// Hosting in Kubernetes (<c>Microsoft.Orleans.Hosting.Kubernetes</c>). Section <c>Cluster:Kubernetes</c>. Clustering
/// stays in PostgreSQL: the package only adds what Kubernetes knows (the pod's name and IP, and which pods are gone).
/// See <c>k8s/README.md</c>.
/// </summary>
public sealed class FloKubernetesOptions
{
    /// <summary>
    /// Turns Kubernetes hosting on: the silo is named after its pod and advertises the pod's IP (the downward API's
    /// <c>POD_NAME</c>, <c>POD_NAMESPACE</c>, <c>POD_IP</c>), and a few silos watch the namespace's pods, declaring the
    /// silo of a deleted pod dead at once instead of after missed probes. Needs the pod's service account to
    /// get, list, watch and patch pods (and delete them with <see cref="DeleteDefunctSiloPods"/>). Default false.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// How many silos watch the Kubernetes API (the first active ones by address); more only adds load on the API
    /// server. Default 2, the package's own.
    /// </summary>
    public int MaxAgents { get; set; } = 2;

    /// <summary>
    /// Deletes the pod of a silo that membership declared dead, so its Deployment starts a replacement at once: a silo
    /// cut off from the others, or hung, may never learn it was declared dead and exit, and its liveness probe may well
    /// pass. Default true (the package's default is false; the manifests grant the <c>delete</c> verb it needs).
    /// </summary>
    public bool DeleteDefunctSiloPods { get; set; } = true;
}
