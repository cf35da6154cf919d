using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Runtime.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class MemoryGrainStorageTests : GrainStorageContractTests
{
    protected override bool IsDurable => false;

    protected override IStorageBackend CreateBackend()
        => StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Memory }, NullLoggerFactory.Instance);
}

[Trait("Category", "Storage")]
public sealed class SqliteGrainStorageTests : GrainStorageContractTests, IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "flo-sqlite-" + Guid.NewGuid().ToString("N"));

    protected override IStorageBackend CreateBackend()
        => StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Sqlite, DataDirectory = directory }, NullLoggerFactory.Instance);

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

[Trait("Category", "Storage")]
public sealed class PostgreSqlGrainStorageTests(PostgresFixture postgres) : GrainStorageContractTests, IClassFixture<PostgresFixture>
{
    protected override IStorageBackend CreateBackend()
        => StorageBackendFactory.Create(new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString }, NullLoggerFactory.Instance);
}
