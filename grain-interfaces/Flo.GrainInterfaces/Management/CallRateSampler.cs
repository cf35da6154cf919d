namespace Flo.Management;

/// <summary>
/// Messages per second per silo from two readings of its received-message counter: the management API keeps the
/// previous reading of each silo, so whoever polls (the dashboard, every 2 s) gets the rate over its own interval.
/// </summary>
internal sealed class CallRateSampler
{
    /// <summary>Readings older than this give no rate: a rate over many minutes says little about now.</summary>
    private const long MaxAgeMs = 60_000;

    /// <summary>Readings closer than this keep the previous rate: a rate over a few ms is noise.</summary>
    private const long MinIntervalMs = 1_000;

    private readonly Lock gate = new();
    private readonly Dictionary<string, (long Received, long AtMs, double? Rate)> previous = new(StringComparer.Ordinal);

    /// <summary>Records a reading; returns the rate since the previous one (null for the first, a stale one or a restarted silo).</summary>
    public double? Sample(string silo, long received, long nowMs)
    {
        lock (gate)
        {
            var found = previous.TryGetValue(silo, out var last);
            var elapsed = nowMs - last.AtMs;
            if (found && elapsed < MinIntervalMs)
            {
                // Several pollers at once (two dashboards): they share the rate of the last full interval.
                return last.Rate;
            }
            double? rate = found && elapsed <= MaxAgeMs && received >= last.Received
                ? (received - last.Received) * 1000.0 / elapsed
                : null;
            previous[silo] = (received, nowMs, rate);
            return rate;
        }
    }

    /// <summary>Forgets silos no longer reported, so the map does not grow with every silo that ever lived.</summary>
    public void Retain(IReadOnlyCollection<string> silos)
    {
        lock (gate)
        {
            foreach (var gone in previous.Keys.Where(k => !silos.Contains(k)).ToList())
            {
                previous.Remove(gone);
            }
        }
    }
}
