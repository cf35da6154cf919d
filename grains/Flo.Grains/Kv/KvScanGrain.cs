using Flo.Kv;
using Flo.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Grains.Kv;

/// <summary>
/// A namespace's key scans, read from the storage's listing of key states (<see cref="KvListing"/>): one range read of
/// the store per page, whatever the number of keys, and no grain holding the key set in memory. Stateless, so each
/// silo answers the scans its callers send it.
/// </summary>
[StatelessWorker]
[GrainType("kvscan")]
public sealed class KvScanGrain([FromKeyedServices(FloStorage.Name)] IGrainListing listing, TimeProvider time) : Grain, IKvScanGrain
{
    /// <inheritdoc/>
    public async Task<KvIndexPage> Scan(string prefix, string? after, int limit)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (limit is < 1 or > KvKeys.MaxScanLimit)
        {
            throw new KvArgumentException($"Scan limit must be 1 to {KvKeys.MaxScanLimit}; got {limit}.");
        }
        var ns = this.GetPrimaryKeyString();
        var scope = ns + "/";
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var keys = new List<string>(Math.Min(limit, 64));
        var cursor = after is null ? null : scope + after;
        while (true)
        {
            // One more than asked, to tell whether there are more; expired keys not yet swept are skipped, so a page
            // may take more than one read.
            var want = limit + 1 - keys.Count;
            var listed = await listing.ListAsync(KvListing.StateName, KvListing.GrainType, scope + prefix, cursor, want);
            foreach (var entry in listed)
            {
                if (!KvListing.IsLive(entry, now))
                {
                    continue;
                }
                if (keys.Count == limit)
                {
                    return new KvIndexPage { Keys = [.. keys], HasMore = true };
                }
                keys.Add(entry.Key[scope.Length..]);
            }
            if (listed.Count < want)
            {
                return new KvIndexPage { Keys = [.. keys], HasMore = false };
            }
            cursor = listed[^1].Key;
        }
    }
}
