namespace Flo.Management;

/// <summary>The cluster's health as a client sees it (the executor's <c>health_check</c>).</summary>
/// <param name="Healthy">At least one silo is active and a grain call round trip succeeded.</param>
/// <param name="ActiveSilos">Silos active in the membership table.</param>
/// <param name="RoundTripMs">The grain call's round trip (null when it failed).</param>
/// <param name="Problem">Why it is not healthy (null when it is).</param>
public sealed record ClusterHealth(bool Healthy, int ActiveSilos, double? RoundTripMs, string? Problem);
