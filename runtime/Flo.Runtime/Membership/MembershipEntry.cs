using System.Globalization;
using Flo.Runtime.Hosting;

namespace Flo.Runtime.Membership;

/// <summary>One silo incarnation: where it listens and which start it is (a restarted silo gets a new generation).</summary>
public sealed record SiloAddress(string Host, int Port, int Generation)
{
    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}@{Generation}");

    /// <summary>Parses <c>host:port@generation</c>.</summary>
    public static SiloAddress Parse(string text)
    {
        var at = text.LastIndexOf('@');
        var colon = text.LastIndexOf(':', at < 0 ? text.Length - 1 : at);
        if (at < 0 || colon < 0)
        {
            throw new FormatException($"'{text}' is not host:port@generation.");
        }
        return new SiloAddress(text[..colon], int.Parse(text[(colon + 1)..at], CultureInfo.InvariantCulture), int.Parse(text[(at + 1)..], CultureInfo.InvariantCulture));
    }
}

/// <summary>A vote that a silo is dead, with when it was cast (votes expire).</summary>
public readonly record struct SuspectVote(SiloAddress Voter, DateTimeOffset Time);

/// <summary>A membership table row.</summary>
public sealed record MembershipEntry
{
    /// <summary>The silo incarnation.</summary>
    public required SiloAddress Silo { get; init; }

    /// <summary>The silo's name.</summary>
    public required string SiloName { get; init; }

    /// <summary>Joining, Active, ShuttingDown or Dead.</summary>
    public required SiloStatus Status { get; init; }

    /// <summary>Client gateway port (0 when the silo has none).</summary>
    public int GatewayPort { get; init; }

    /// <summary>HTTP port.</summary>
    public int HttpPort { get; init; }

    /// <summary>When the silo started.</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>Last I-am-alive heartbeat written by the silo.</summary>
    public DateTimeOffset IAmAliveTime { get; init; }

    /// <summary>Suspicion votes against the silo.</summary>
    public IReadOnlyList<SuspectVote> Suspicions { get; init; } = [];
}

/// <summary>The table's version: every change bumps it atomically with the changed row (optimistic concurrency).</summary>
public sealed record TableVersion(long Version)
{
    /// <summary>The version a change made on top of this one writes.</summary>
    public TableVersion Next() => new(Version + 1);
}

/// <summary>A snapshot of the table: rows with their ETags, and the version they were read at.</summary>
public sealed record MembershipTableData(IReadOnlyList<(MembershipEntry Entry, string Etag)> Entries, TableVersion Version);
