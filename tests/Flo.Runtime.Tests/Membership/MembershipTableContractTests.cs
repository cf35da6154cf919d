using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Runtime.Tests.Membership;

/// <summary>The membership table contract: every change is conditional on the table version (and the row's ETag).</summary>
public abstract class MembershipTableContractTests : IAsyncLifetime
{
    private readonly string clusterId = "c-" + Guid.NewGuid().ToString("N")[..8];
    private IStorageBackend? backend;

    protected IMembershipTable Table { get; private set; } = null!;

    protected abstract IStorageBackend? CreateBackend();

    public async Task InitializeAsync()
    {
        backend = CreateBackend();
        if (backend is null)
        {
            Table = new InMemoryMembershipTable();
        }
        else
        {
            await backend.InitializeAsync(CancellationToken.None);
            Table = new RelationalMembershipTable((IRelationalStorageBackend)backend, clusterId);
        }
        await Table.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (backend is not null)
        {
            await backend.DisposeAsync();
        }
    }

    private static readonly CancellationToken None = CancellationToken.None;

    private static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Joining) => new()
    {
        Silo = new SiloAddress("10.0.0.1", port, 1),
        SiloName = $"silo-{port}",
        Status = status,
        GatewayPort = 9000,
        HttpPort = 8080,
        StartTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
        IAmAliveTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
    };

    [Fact]
    public async Task AFreshTableIsEmptyAtVersionZero()
    {
        var data = await Table.ReadAllAsync(None);
        Assert.Empty(data.Entries);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task InsertNeedsTheNextVersionAndANewRow()
    {
        var v0 = (await Table.ReadAllAsync(None)).Version;
        Assert.True(await Table.InsertRowAsync(Entry(1), v0.Next(), None));
        Assert.False(await Table.InsertRowAsync(Entry(2), v0.Next(), None)); // stale version
        var v1 = (await Table.ReadAllAsync(None)).Version;
        Assert.Equal(1, v1.Version);
        Assert.False(await Table.InsertRowAsync(Entry(1), v1.Next(), None)); // duplicate row
        Assert.Equal(1, (await Table.ReadAllAsync(None)).Version.Version); // the refused change did not bump the version

        var row = Assert.Single((await Table.ReadRowAsync(Entry(1).Silo, None)).Entries);
        Assert.Equal("silo-1", row.Entry.SiloName);
        Assert.Equal(SiloStatus.Joining, row.Entry.Status);
        Assert.Equal(Entry(1).StartTime, row.Entry.StartTime);
        Assert.Empty((await Table.ReadRowAsync(Entry(2).Silo, None)).Entries);
    }

    [Fact]
    public async Task UpdateNeedsTheRowEtagAndTheNextVersion()
    {
        await Table.InsertRowAsync(Entry(1), new TableVersion(1), None);
        var data = await Table.ReadAllAsync(None);
        var (entry, etag) = Assert.Single(data.Entries);
        var vote = new SuspectVote(new SiloAddress("10.0.0.2", 2, 7), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_001_000));
        var active = entry with { Status = SiloStatus.Active, Suspicions = [vote] };

        Assert.False(await Table.UpdateRowAsync(active, etag, data.Version, None)); // not the next version
        Assert.False(await Table.UpdateRowAsync(active, "999", data.Version.Next(), None)); // stale row etag
        Assert.True(await Table.UpdateRowAsync(active, etag, data.Version.Next(), None));
        Assert.False(await Table.UpdateRowAsync(active, etag, data.Version.Next().Next(), None)); // etag moved on

        var after = await Table.ReadAllAsync(None);
        Assert.Equal(2, after.Version.Version);
        var row = Assert.Single(after.Entries);
        Assert.Equal(SiloStatus.Active, row.Entry.Status);
        Assert.Equal(vote, Assert.Single(row.Entry.Suspicions));
        Assert.NotEqual(etag, row.Etag);
    }

    [Fact]
    public async Task IAmAliveChangesOnlyTheHeartbeat()
    {
        await Table.InsertRowAsync(Entry(1), new TableVersion(1), None);
        var later = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_000);
        await Table.UpdateIAmAliveAsync(Entry(1) with { IAmAliveTime = later, Status = SiloStatus.Dead }, None);
        var data = await Table.ReadAllAsync(None);
        var row = Assert.Single(data.Entries);
        Assert.Equal(later, row.Entry.IAmAliveTime);
        Assert.Equal(SiloStatus.Joining, row.Entry.Status);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task OfConcurrentChangesFromOneVersionExactlyOneCommits()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 10).Select(p => Table.InsertRowAsync(Entry(p), new TableVersion(1), None)));
        Assert.Single(results, r => r);
        var data = await Table.ReadAllAsync(None);
        Assert.Single(data.Entries);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task CleanupRemovesOnlyDeadSilosSilentSinceTheCutoff()
    {
        await Table.InsertRowAsync(Entry(1, SiloStatus.Dead), new TableVersion(1), None);
        await Table.InsertRowAsync(Entry(2, SiloStatus.Active), new TableVersion(2), None);
        await Table.InsertRowAsync(Entry(3, SiloStatus.Dead) with { IAmAliveTime = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000) }, new TableVersion(3), None);
        Assert.Equal(1, await Table.CleanupDefunctEntriesAsync(DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000), None));
        var ports = (await Table.ReadAllAsync(None)).Entries.Select(e => e.Entry.Silo.Port).OrderBy(p => p);
        Assert.Equal([2, 3], ports);
    }
}

[Trait("Category", "Membership")]
public sealed class InMemoryMembershipTableTests : MembershipTableContractTests
{
    protected override IStorageBackend? CreateBackend() => null;
}

[Trait("Category", "Membership")]
public sealed class SqliteMembershipTableTests : MembershipTableContractTests, IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "flo-membership-" + Guid.NewGuid().ToString("N"));

    protected override IStorageBackend? CreateBackend()
        => StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Sqlite, DataDirectory = directory }, NullLoggerFactory.Instance);

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

[Trait("Category", "Membership")]
public sealed class PostgreSqlMembershipTableTests(PostgresFixture postgres) : MembershipTableContractTests, IClassFixture<PostgresFixture>
{
    protected override IStorageBackend? CreateBackend()
        => StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString }, NullLoggerFactory.Instance);
}
