using System.Globalization;

namespace Flo.Dataflow;

/// <summary>
/// Names, limits and grain keys of flows, shared by the client, the grains and the HTTP API, so all of them
/// refuse the same input with the same <see cref="FlowArgumentException"/>.
/// </summary>
public static class FlowLimits
{
    /// <summary>Longest node name, node type name and run id.</summary>
    public const int MaxNameLength = 128, MaxRunIdLength = 64;

    /// <summary>Most runs in one page of a namespace's listing.</summary>
    public const int MaxListLimit = 1_000;

    /// <summary>Most nodes in one flow.</summary>
    public const int MaxNodes = 1_000;

    /// <summary>Most parts one streaming node may emit in one generation (they are kept until the next generation).</summary>
    public const int MaxPartsPerGeneration = 100_000;

    /// <summary>The action a node type runs as: <c>flow:{nodeType}</c>.</summary>
    public static string ActionName(string nodeType) => "flow:" + nodeType;

    /// <summary>
    /// The idempotency key of one node generation's action run, <c>flow:{runId}:{node}:{generation}</c>: asking for the
    /// same generation again (after a silo loss) gives the same run, so a generation is never applied twice.
    /// </summary>
    public static string RunKey(string runId, string node, int generation)
        => string.Create(CultureInfo.InvariantCulture, $"flow:{runId}:{node}:{generation}");

    /// <summary>Grain key of a flow run: <c>ns/runId</c>.</summary>
    public static string FlowRunKey(string ns, string runId) => $"{ns}/{runId}";

    /// <summary>Grain key of a node of a flow run: <c>ns/runId/node</c>.</summary>
    public static string NodeKey(string ns, string runId, string node) => $"{ns}/{runId}/{node}";

    /// <summary>Splits a node key into namespace, run id and node (run ids and namespaces have no slash).</summary>
    public static (string Ns, string RunId, string Node) SplitNodeKey(string key)
    {
        var first = key.IndexOf('/');
        var second = key.IndexOf('/', first + 1);
        return (key[..first], key[(first + 1)..second], key[(second + 1)..]);
    }

    /// <summary>Splits a flow run key into namespace and run id.</summary>
    public static (string Ns, string RunId) SplitRunKey(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>A new run id: a time-ordered UUIDv7 as 32 lowercase hex digits.</summary>
    public static string NewRunId() => Guid.CreateVersion7().ToString("N");

    /// <summary>Throws unless the namespace is valid.</summary>
    public static void ValidateNamespace(string? ns)
    {
        if (Kv.KvKeys.NamespaceError(ns) is { } error)
        {
            throw new FlowArgumentException(error);
        }
    }

    /// <summary>Throws unless the run id is 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    public static void ValidateRunId(string? runId)
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > MaxRunIdLength || !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new FlowArgumentException($"Flow run id must be 1 to {MaxRunIdLength} characters of [A-Za-z0-9._-]; got '{Shorten(runId)}'.");
        }
    }

    /// <summary>Throws unless the node name is 1 to 128 characters without '/' or control characters.</summary>
    public static void ValidateNodeName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(c => c == '/' || char.IsControl(c)))
        {
            throw new FlowArgumentException($"Node name must be 1 to {MaxNameLength} characters without '/' or control characters; got '{Shorten(name)}'.");
        }
    }

    /// <summary>Throws unless the node type name is 1 to 128 characters without '/' or control characters.</summary>
    public static void ValidateNodeTypeName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.Any(c => c == '/' || char.IsControl(c)))
        {
            throw new FlowArgumentException($"Node type name must be 1 to {MaxNameLength} characters without '/' or control characters; got '{Shorten(name)}'.");
        }
    }

    private static string Shorten(string? s) => s is null ? "(null)" : s.Length > 64 ? s[..64] + "..." : s;
}
