using System.Data.Common;
using Orleans.Storage;
using Xunit.Abstractions;

namespace Flo.Storage.Tests.Contract;

/// <summary>
/// What the SQL providers add to the contract: write batching (batch size, a database error failing exactly its own
/// batch), versioned schema scripts applied once however many silos start together, and old-runtime tables ignored.
/// </summary>
public abstract class RelationalGrainStorageContractTests(ITestOutputHelper output) : GrainStorageContractTests(output)
{
    /// <summary>Options of the provider under test on a new, empty database.</summary>
    protected abstract Task<FloStorageOptions> CreateFreshDatabaseOptionsAsync();

    /// <summary>A raw connection to the database of <paramref name="options"/>.</summary>
    protected abstract Task<DbConnection> OpenAsync(FloStorageOptions options);

    /// <summary>SQL that makes every insert of a grain id containing <c>poison</c> fail with a database error.</summary>
    protected abstract string PoisonTriggerSql { get; }

    /// <summary>SQL creating the old runtime's <c>schema_version</c> (at version 4) and <c>grain_state</c> with one row.</summary>
    protected abstract string OldRuntimeSql { get; }

    protected abstract string Dialect { get; }

    private static FloGrainStorage Create(FloStorageOptions options) => TestServices.CreateStorage(options);

    private async Task ExecuteAsync(FloStorageOptions options, string sql)
    {
        await using var connection = await OpenAsync(options);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<int[]> AppliedVersionsAsync(FloStorageOptions options)
    {
        await using var connection = await OpenAsync(options);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM flo_schema_version ORDER BY version";
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0)));
        }
        return [.. versions];
    }

    private int[] EmbeddedVersions()
        => typeof(FloGrainStorage).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith($"Flo.Storage.Schema.{Dialect}.", StringComparison.Ordinal))
            .Select(n => int.Parse(n[$"Flo.Storage.Schema.{Dialect}.".Length..].Split('_')[0]))
            .Order()
            .ToArray();

    [Fact]
    public async Task ABatchNeverHoldsMoreThanMaxBatchSizeWrites()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        options.MaxBatchSize = 4;
        await using var small = Create(options);
        await small.InitializeAsync(None);
        var ids = Enumerable.Range(0, 100).Select(_ => NewId()).ToArray();
        await Task.WhenAll(ids.Select(id => WriteAsync(id, 1, null, target: small)));
        var statistics = small.Statistics;
        Assert.Equal(100, statistics.Writes);
        Assert.InRange(statistics.LargestBatch, 2, 4);
        Assert.True(statistics.Batches >= 25, statistics.ToString());
    }

    [Fact]
    public async Task ADatabaseErrorFailsTheWritesOfItsBatchAndOnlyThose()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        await using var poisoned = Create(options);
        await poisoned.InitializeAsync(None);
        await ExecuteAsync(options, PoisonTriggerSql);

        var ids = Enumerable.Range(0, 200).Select(i => GrainId.Create("test", (i == 100 ? "poison-" : "") + Guid.NewGuid().ToString("N"))).ToArray();
        var outcomes = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                await WriteAsync(id, 7, null, target: poisoned);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }));

        Assert.IsAssignableFrom<DbException>(outcomes[100]);
        Assert.True(poisoned.Statistics.FailedBatches >= 1);
        for (var i = 0; i < ids.Length; i++)
        {
            var read = await ReadAsync(ids[i], source: poisoned);
            if (outcomes[i] is null)
            {
                Assert.True(read.RecordExists);
            }
            else
            {
                // Failed with the batch's database error (not an ETag conflict), and the batch was rolled back.
                Assert.Same(outcomes[100], outcomes[i]);
                Assert.Null(read.ETag);
            }
        }

        // The writer survives the failed batch.
        Assert.Equal("1", await WriteAsync(NewId(), 1, null, target: poisoned));
    }

    [Fact]
    public async Task SchemaScriptsAreAppliedOnceEvenBySeveralProvidersAtOnceAndAgain()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        var providers = Enumerable.Range(0, 4).Select(_ => Create(options)).ToArray();
        try
        {
            await Task.WhenAll(providers.Select(p => Task.Run(() => p.InitializeAsync(None))));
            var versions = EmbeddedVersions();
            Assert.Contains(1, versions);
            Assert.All(providers, p => Assert.Equal(versions[^1], p.SchemaVersion));
            Assert.Equal(versions, await AppliedVersionsAsync(options));

            // And again, from a new provider: a no-op.
            await using var again = Create(options);
            await again.InitializeAsync(None);
            Assert.Equal(versions[^1], again.SchemaVersion);
            Assert.Equal(versions, await AppliedVersionsAsync(options));

            var id = NewId();
            var etag = await WriteAsync(id, 5, null, target: providers[2]);
            Assert.Equal(etag, (await ReadAsync(id, source: providers[3])).ETag);
        }
        finally
        {
            foreach (var p in providers)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task KvKeysStoredBeforeTheListingAreListedUnsettledAndTheOldIndexIsDropped()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        if (Dialect == "sqlite")
        {
            Directory.CreateDirectory(options.DataDirectory);
        }
        // The database as the build before the listing left it: every earlier script applied, a live and a cleared key
        // state, and an index partition with its record.
        var prefix = $"Flo.Storage.Schema.{Dialect}.";
        var scripts = typeof(FloGrainStorage).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n, Version: int.Parse(n[prefix.Length..].Split('_')[0])))
            .OrderBy(s => s.Version)
            .ToArray();
        var listingVersion = scripts.Single(s => s.Name.EndsWith("_grain_listing.sql", StringComparison.Ordinal)).Version;
        var timestamp = Dialect == "sqlite" ? "'2026-01-01'" : "now()";
        await ExecuteAsync(options, "CREATE TABLE flo_schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc " + (Dialect == "sqlite" ? "TEXT" : "timestamptz") + " NOT NULL)");
        foreach (var (name, version) in scripts.Where(s => s.Version < listingVersion))
        {
            using var reader = new StreamReader(typeof(FloGrainStorage).Assembly.GetManifestResourceStream(name)!);
            await ExecuteAsync(options, await reader.ReadToEndAsync());
            await ExecuteAsync(options, $"INSERT INTO flo_schema_version (version, name, applied_utc) VALUES ({version}, 'before', {timestamp})");
        }
        var blob = Dialect == "sqlite" ? "x'01'" : "decode('01', 'hex')";
        await ExecuteAsync(options, $"""
            INSERT INTO flo_grain_state (grain_id, state_name, payload, version) VALUES ('kv/ns/live', 'kv', {blob}, 3);
            INSERT INTO flo_grain_state (grain_id, state_name, payload, version) VALUES ('kv/ns/cleared', 'kv', NULL, 2);
            INSERT INTO flo_grain_state (grain_id, state_name, payload, version) VALUES ('kvindex/ns/0', 'kvindex', {blob}, 5);
            INSERT INTO flo_grain_records (grain_id, state_name, record_id, payload) VALUES ('kvindex/ns/0', 'kvindex', 1, {blob});
            """);

        await using var provider = Create(options);
        await provider.InitializeAsync(None);

        // Listed with a due time in the past: shown by scans and settled by the KV's sweep.
        var listed = await provider.ListAsync("kv", GrainType.Create("kv"), "ns/", null, 10);
        Assert.Equal([new ListedGrain("ns/live", -1)], listed);
        Assert.Equal([new ListedGrain("ns/live", -1)], await provider.ListDueAsync("kv", GrainType.Create("kv"), 0, 10));
        Assert.Null((await ReadAsync(GrainId.Create("kvindex", "ns/0"), "kvindex", provider)).ETag);
        Assert.Empty(await provider.ReadRecordsAsync("kvindex", GrainId.Create("kvindex", "ns/0"), 0, 10, None));
    }

    [Fact]
    public async Task ADatabaseOfTheOldRuntimeIsNotMisread()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        if (Dialect == "sqlite")
        {
            Directory.CreateDirectory(options.DataDirectory);
        }
        await ExecuteAsync(options, OldRuntimeSql);
        await using var provider = Create(options);
        await provider.InitializeAsync(None);
        Assert.Equal(EmbeddedVersions(), await AppliedVersionsAsync(options));
        // The old row (grain type "test", key "old", state "s", version 7) is not this provider's state.
        var id = GrainId.Create("test", "old");
        Assert.Null((await ReadAsync(id, source: provider)).ETag);
        Assert.Equal("1", await WriteAsync(id, 1, null, target: provider));
    }

    [Fact]
    public async Task WritesQueuedWhenTheProviderStopsAreCommittedFirst()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        var first = Create(options);
        await first.InitializeAsync(None);
        var ids = Enumerable.Range(0, 100).Select(_ => NewId()).ToArray();
        var writes = ids.Select(id => WriteAsync(id, 3, null, target: first)).ToArray();
        await first.DisposeAsync();
        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => WriteAsync(NewId(), 1, null, target: first));

        await using var second = Create(options);
        await second.InitializeAsync(None);
        foreach (var id in ids)
        {
            Assert.True((await ReadAsync(id, source: second)).RecordExists);
        }
    }

    [Fact]
    public async Task AWriteBeforeInitializationFailsInsteadOfWaitingForever()
    {
        await using var uninitialized = Create(await CreateFreshDatabaseOptionsAsync());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(NewId(), 1, null, target: uninitialized));
        Assert.Contains("not initialized", error.Message);
    }
}
