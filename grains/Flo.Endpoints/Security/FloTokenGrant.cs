namespace Flo.Security;

/// <summary>
/// What one access token may do: read, or read and write, on listed namespaces (<c>*</c>: every namespace and the
/// cluster-wide routes). Built from <c>Cluster:Security:Tokens</c>; entries with the same token merge. Immutable.
/// </summary>
public sealed class FloTokenGrant
{
    /// <summary>The namespace name that stands for every namespace and the cluster-wide APIs.</summary>
    public const string All = "*";

    private readonly HashSet<string> read;
    private readonly HashSet<string> write;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> readLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> writeLookup;

    /// <summary>Creates a grant.</summary>
    /// <param name="name">A label for messages and logs (never the token itself).</param>
    /// <param name="namespaces">The namespaces granted (<see cref="All"/> for all).</param>
    /// <param name="canWrite">Whether the grant includes write access (read is always included).</param>
    public FloTokenGrant(string name, IEnumerable<string> namespaces, bool canWrite)
        : this(name, [.. namespaces], canWrite ? [.. namespaces] : [])
    {
    }

    private FloTokenGrant(string name, HashSet<string> read, HashSet<string> write)
    {
        Name = name;
        this.read = read;
        this.write = write;
        readLookup = read.GetAlternateLookup<ReadOnlySpan<char>>();
        writeLookup = write.GetAlternateLookup<ReadOnlySpan<char>>();
        ReadsAll = read.Contains(All);
        WritesAll = write.Contains(All);
    }

    /// <summary>The token's label.</summary>
    public string Name { get; }

    /// <summary>Whether the token reads every namespace and the cluster-wide APIs.</summary>
    public bool ReadsAll { get; }

    /// <summary>Whether the token writes every namespace and the cluster-wide APIs.</summary>
    public bool WritesAll { get; }

    /// <summary>Whether the token may read (or, with <paramref name="write"/>, write) <paramref name="ns"/>; null: the cluster-wide APIs, which need <see cref="All"/>.</summary>
    public bool Allows(string? ns, bool write)
        => ns is null ? (write ? WritesAll : ReadsAll) : Allows(ns.AsSpan(), write);

    /// <summary>Whether the token may read (or, with <paramref name="write"/>, write) namespace <paramref name="ns"/>.</summary>
    public bool Allows(ReadOnlySpan<char> ns, bool write)
        => write ? WritesAll || writeLookup.Contains(ns) : ReadsAll || readLookup.Contains(ns);

    /// <summary>The union of this grant and <paramref name="other"/> (the same token listed twice).</summary>
    public FloTokenGrant Merge(FloTokenGrant other)
        => new(Name == other.Name ? Name : $"{Name}+{other.Name}", [.. read, .. other.read], [.. write, .. other.write]);

    /// <summary>What the token grants, e.g. <c>read-write on orders; read on *</c>.</summary>
    public override string ToString()
    {
        var readOnly = read.Except(write).Order(StringComparer.Ordinal).ToArray();
        var parts = new List<string>();
        if (write.Count > 0)
        {
            parts.Add("read-write on " + string.Join(", ", write.Order(StringComparer.Ordinal)));
        }
        if (readOnly.Length > 0)
        {
            parts.Add("read on " + string.Join(", ", readOnly));
        }
        return string.Join("; ", parts);
    }
}
