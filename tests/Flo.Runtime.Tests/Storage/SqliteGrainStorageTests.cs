using Flo.Runtime.Storage;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class SqliteGrainStorageTests(ITestOutputHelper output) : RelationalGrainStorageContractTests(output)
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "flo-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override string Dialect => "sqlite";

    protected override string PoisonTriggerSql => """
        CREATE TRIGGER poison BEFORE INSERT ON grain_state WHEN NEW.grain_key LIKE 'poison%'
        BEGIN SELECT RAISE(ABORT, 'poisoned write'); END
        """;

    protected override StorageOptions CreateOptions() => new() { Provider = StorageProviderKind.Sqlite, DataDirectory = Path.Combine(root, "main") };

    protected override Task<StorageOptions> CreateFreshDatabaseOptionsAsync()
        => Task.FromResult(new StorageOptions { Provider = StorageProviderKind.Sqlite, DataDirectory = Path.Combine(root, Guid.NewGuid().ToString("N")) });

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
    public async Task TheDatabaseIsAWalFileUnderTheDataDirectory()
    {
        var file = Path.Combine(root, "main", "flo.db");
        Assert.True(File.Exists(file));
        Assert.Contains(file, Backend.Describe());
        Assert.Contains("synchronous FULL", Backend.Describe());
        var connection = await ((IRelationalStorageBackend)Backend).OpenConnectionAsync(None);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", await command.ExecuteScalarAsync());
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(2L, await command.ExecuteScalarAsync()); // FULL
        }
    }

    [Fact]
    public async Task AConnectionStringOverridesTheDataDirectory()
    {
        var file = Path.Combine(root, "custom", "state.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var custom = StorageBackendFactory.Create(
            new StorageOptions { Provider = StorageProviderKind.Sqlite, ConnectionString = $"Data Source={file}", SqliteSynchronous = "normal" },
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await custom.InitializeAsync(None);
        await custom.GrainStorage.WriteAsync(NewId(), "s", new byte[] { 1 }, null, None);
        Assert.True(File.Exists(file));
        Assert.Contains("synchronous NORMAL", custom.Describe());
    }
}
