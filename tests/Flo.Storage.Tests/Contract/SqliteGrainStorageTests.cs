using System.Data.Common;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Flo.Storage.Tests.Contract;

[Trait("Category", "Storage")]
public sealed class SqliteGrainStorageTests(ITestOutputHelper output) : RelationalGrainStorageContractTests(output)
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "flo-storage-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override string Dialect => "sqlite";

    protected override string PoisonTriggerSql => """
        CREATE TRIGGER poison BEFORE INSERT ON flo_grain_state WHEN NEW.grain_id LIKE '%poison%'
        BEGIN SELECT RAISE(ABORT, 'poisoned write'); END
        """;

    protected override string OldRuntimeSql => """
        CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL);
        INSERT INTO schema_version VALUES (1, 'grain_state', 'x'), (2, 'membership', 'x'), (3, 'reminders', 'x'), (4, 'grain_records', 'x');
        CREATE TABLE grain_state (grain_type TEXT NOT NULL, grain_key TEXT NOT NULL, state_name TEXT NOT NULL, payload BLOB NULL,
            version INTEGER NOT NULL, PRIMARY KEY (grain_type, grain_key, state_name));
        INSERT INTO grain_state VALUES ('test', 'old', 's', x'01', 7);
        """;

    protected override FloStorageOptions CreateOptions() => new() { Provider = FloStorageProvider.Sqlite, DataDirectory = Path.Combine(root, "main") };

    protected override Task<FloStorageOptions> CreateFreshDatabaseOptionsAsync()
        => Task.FromResult(new FloStorageOptions { Provider = FloStorageProvider.Sqlite, DataDirectory = Path.Combine(root, Guid.NewGuid().ToString("N")) });

    protected override async Task<DbConnection> OpenAsync(FloStorageOptions options)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(options.DataDirectory, "flo.db")};Default Timeout=30");
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task EveryConnectionHasTheStoresSettingsAlsoWhenTheSameOneComesBackFromThePool()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        Directory.CreateDirectory(options.DataDirectory);
        options.SqliteSynchronous = "NORMAL";
        await using var store = new Flo.Storage.Stores.SqliteStateStore(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var handles = new HashSet<object>();
        for (var i = 0; i < 4; i++)
        {
            // Two open at once: the pool hands out a second physical connection, which needs the settings too.
            await using var first = await store.OpenAsync(CancellationToken.None);
            await using var second = await store.OpenAsync(CancellationToken.None);
            foreach (var connection in new[] { first, second })
            {
                handles.Add(connection.Handle!);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA synchronous";
                Assert.Equal(1L, await command.ExecuteScalarAsync()); // NORMAL
                command.CommandText = "PRAGMA busy_timeout";
                Assert.Equal(30_000L, await command.ExecuteScalarAsync());
            }
        }
        // The pool reused its connections (what makes setting them once per handle worth it).
        Assert.Equal(2, handles.Count);
    }

    [Fact]
    public async Task CommitsReachTheDatabaseFileThroughCheckpointsBesideTheWriter()
    {
        var options = await CreateFreshDatabaseOptionsAsync();
        Directory.CreateDirectory(options.DataDirectory);
        await using var store = new Flo.Storage.Stores.SqliteStateStore(options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await store.InitializeAsync(None);
        const int states = 50;
        for (var i = 0; i < states; i++)
        {
            await store.WriteAsync(new Flo.Storage.Stores.StateKey($"test/{i}", "s"), new byte[] { (byte)i }, null, [], null, None);
        }

        // Fifty small commits are far below any automatic checkpoint threshold (SQLite's default is 1,000 pages, the
        // writer's backstop more), so rows in the database file itself were copied there by the checkpointer. The file
        // is read from a copy without its WAL; a copy taken while a checkpoint writes may be torn, and is taken again.
        var copy = Path.Combine(options.DataDirectory, "copy.db");
        long rows = 0;
        var lastProgress = DateTime.UtcNow;
        var lastCheckpoints = store.Checkpoints;
        // Also until the checkpointer has counted its checkpoint: the rows can be in the file a moment before.
        while (rows < states || store.Checkpoints == 0)
        {
            Assert.True(DateTime.UtcNow - lastProgress < TimeSpan.FromSeconds(30), $"no checkpoint for 30 s; {rows} of {states} rows in the database file");
            if (store.Checkpoints != lastCheckpoints)
            {
                (lastCheckpoints, lastProgress) = (store.Checkpoints, DateTime.UtcNow);
            }
            await Task.Delay(50);
            File.Copy(Path.Combine(options.DataDirectory, "flo.db"), copy, overwrite: true);
            try
            {
                await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM flo_grain_state WHERE state_name = 's'";
                rows = (long)(await command.ExecuteScalarAsync())!;
            }
            catch (SqliteException)
            {
                rows = 0;
            }
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task TheDatabaseIsAWalFileUnderTheDataDirectoryWithTheConfiguredSynchronous()
    {
        var file = Path.Combine(root, "main", "flo.db");
        Assert.True(File.Exists(file));
        Assert.Contains(file, Storage.Describe());
        Assert.Contains("synchronous FULL", Storage.Describe());
        await using var connection = await OpenAsync(CreateOptions());
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AConnectionStringOverridesTheDataDirectory()
    {
        var file = Path.Combine(root, "custom", "state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var custom = TestServices.CreateStorage(
            new FloStorageOptions { Provider = FloStorageProvider.Sqlite, ConnectionString = $"Data Source={file}", SqliteSynchronous = "normal" });
        await custom.InitializeAsync(None);
        await WriteAsync(NewId(), 1, null, target: custom);
        Assert.True(File.Exists(file));
        Assert.Contains("synchronous NORMAL", custom.Describe());
    }
}
