using System.Data.Common;
using Flo.Runtime.Storage;
using Flo.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Storage;

/// <summary>
/// What the SQL providers add to the storage contract: write batching (batch size, a database error failing exactly
/// its own batch) and versioned schema scripts applied once however many silos start together.
/// </summary>
public abstract class RelationalGrainStorageContractTests(ITestOutputHelper output) : GrainStorageContractTests(output)
{
    /// <summary>Options of the provider under test on a new, empty database.</summary>
    protected abstract Task<StorageOptions> CreateFreshDatabaseOptionsAsync();

    /// <summary>SQL that makes every insert of a grain key starting with <c>poison</c> fail with a database error.</summary>
    protected abstract string PoisonTriggerSql { get; }

    /// <summary>The script versions embedded for this provider, read the way the migrator finds them.</summary>
    protected abstract string Dialect { get; }

    private new IRelationalStorageBackend Backend => (IRelationalStorageBackend)base.Backend;

    private static IRelationalStorageBackend Create(StorageOptions options)
        => (IRelationalStorageBackend)StorageBackendFactory.Create(options, NullLoggerFactory.Instance);

    private int[] EmbeddedScriptVersions()
        => typeof(StorageOptions).Assembly.GetManifestResourceNames()
            .Where(n => n.Contains($".Storage.Schema.{Dialect}.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => int.Parse(n.Split($".Storage.Schema.{Dialect}.")[1].Split('_')[0]))
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
        await Task.WhenAll(ids.Select(id => small.GrainStorage.WriteAsync(id, "s", new byte[] { 1 }, null, None)));
        var statistics = ((RelationalGrainStorage)small.GrainStorage).Statistics;
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
        var connection = await poisoned.OpenConnectionAsync(None);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = PoisonTriggerSql;
            await command.ExecuteNonQueryAsync();
        }

        var storage = poisoned.GrainStorage;
        var ids = Enumerable.Range(0, 200).Select(i => new GrainId("test", (i == 100 ? "poison-" : "") + Guid.NewGuid().ToString("N"))).ToArray();
        var outcomes = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                await storage.WriteAsync(id, "s", new byte[] { 7 }, null, None);
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }));

        Assert.IsAssignableFrom<DbException>(outcomes[100]);
        Assert.True(((RelationalGrainStorage)storage).Statistics.FailedBatches >= 1);
        for (var i = 0; i < ids.Length; i++)
        {
            var record = await storage.ReadAsync(ids[i], "s", None);
            if (outcomes[i] is null)
            {
                Assert.True(record.Exists);
            }
            else
            {
                // Failed with the batch's database error (not an ETag conflict), and the batch was rolled back.
                Assert.Same(outcomes[100], outcomes[i]);
                Assert.Equal(GrainStateRecord.None, record);
            }
        }
        Output.WriteLine($"{outcomes.Count(o => o is not null)} of {ids.Length} writes shared the poisoned batch; {((RelationalGrainStorage)storage).Statistics}");

        // The writer survives the failed batch.
        var after = NewId();
        Assert.Equal("1", await storage.WriteAsync(after, "s", new byte[] { 1 }, null, None));
        Assert.True((await storage.ReadAsync(after, "s", None)).Exists);
    }

    [Fact]
    public async Task SchemaScriptsAreRecordedOnce()
    {
        var versions = EmbeddedScriptVersions();
        Assert.Contains(1, versions);
        Assert.Equal(versions[^1], Backend.SchemaVersion);
        Assert.Equal(versions, await AppliedVersionsAsync(Backend));
    }

    [Fact]
    public async Task SeveralBackendsMigratingAFreshDatabaseAtOnceApplyEachScriptOnce()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        var backends = Enumerable.Range(0, 4).Select(_ => Create(options)).ToArray();
        try
        {
            await Task.WhenAll(backends.Select(b => Task.Run(() => b.InitializeAsync(None))));
            var versions = EmbeddedScriptVersions();
            Assert.All(backends, b => Assert.Equal(versions[^1], b.SchemaVersion));
            Assert.Equal(versions, await AppliedVersionsAsync(backends[0]));

            // And again: nothing more is applied.
            await backends[1].InitializeAsync(None);
            Assert.Equal(versions, await AppliedVersionsAsync(backends[0]));

            var id = NewId();
            var etag = await backends[2].GrainStorage.WriteAsync(id, "s", new byte[] { 5 }, null, None);
            Assert.Equal(etag, (await backends[3].GrainStorage.ReadAsync(id, "s", None)).Etag);
        }
        finally
        {
            foreach (var b in backends)
            {
                await b.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WritesQueuedWhenTheBackendStopsAreCommittedFirst()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        var first = Create(options);
        await first.InitializeAsync(None);
        var ids = Enumerable.Range(0, 100).Select(_ => NewId()).ToArray();
        var writes = ids.Select(id => first.GrainStorage.WriteAsync(id, "s", new byte[] { 3 }, null, None)).ToArray();
        await first.DisposeAsync();
        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.GrainStorage.WriteAsync(NewId(), "s", new byte[] { 1 }, null, None));

        await using var second = Create(options);
        await second.InitializeAsync(None);
        foreach (var id in ids)
        {
            Assert.True((await second.GrainStorage.ReadAsync(id, "s", None)).Exists);
        }
    }

    [Fact]
    public async Task AWriteBeforeInitializationFailsInsteadOfWaitingForever()
    {
        await using var uninitialized = Create(await CreateFreshDatabaseOptionsAsync());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => uninitialized.GrainStorage.WriteAsync(NewId(), "s", new byte[] { 1 }, null, None));
        Assert.Contains("InitializeAsync", error.Message);
    }

    private static async Task<int[]> AppliedVersionsAsync(IRelationalStorageBackend backend)
    {
        var connection = await backend.OpenConnectionAsync(None);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT version FROM schema_version ORDER BY version";
            var versions = new List<int>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                versions.Add(Convert.ToInt32(reader.GetValue(0)));
            }
            return [.. versions];
        }
    }
}
