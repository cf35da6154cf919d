namespace Flo.Management;

/// <summary>The cluster's active silos with their load, and totals.</summary>
/// <param name="Silos">Active silos, by name.</param>
/// <param name="Activations">Grain activations over all silos.</param>
/// <param name="CallsPerSecond">Grain calls received per second over all silos since the previous reading through the
/// same <see cref="ManagementApi"/> (null on the first reading, or when it is older than a minute).</param>
public sealed record ClusterOverview(IReadOnlyList<SiloOverview> Silos, long Activations, double? CallsPerSecond);

/// <summary>One silo as Orleans' management grain reports it.</summary>
/// <param name="Address">The silo address (<c>ip:port@generation</c>).</param>
/// <param name="Name">The silo's name.</param>
/// <param name="Status">Membership status (<c>Active</c>, ...).</param>
/// <param name="Activations">Grain activations on it.</param>
/// <param name="CpuUsage">CPU use in percent (null when the silo does not report it).</param>
/// <param name="MemoryBytes">Memory in use (null when not reported).</param>
/// <param name="Calls">Grain calls the silo received since it started (null when it did not answer).</param>
/// <param name="CallsPerSecond">Grain calls received per second since the previous reading (null on the first).</param>
/// <param name="Gateway">The client gateway endpoint (null when the silo has none).</param>
public sealed record SiloOverview(
    string Address, string Name, string Status, int Activations, float? CpuUsage, long? MemoryBytes,
    long? Calls, double? CallsPerSecond, string? Gateway);
