using Flo.Runtime.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flo.Runtime.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class StorageOptionsTests
{
    [Fact]
    public void TheDefaultsAreAnEmbeddedSqliteFileUnderData()
    {
        var options = new StorageOptions();
        StorageOptionsValidator.Validate(options);
        Assert.Equal(StorageProviderKind.Sqlite, options.Provider);
        Assert.Equal("./data", options.DataDirectory);
        Assert.Equal(256, options.MaxBatchSize);
        Assert.Equal("FULL", options.SqliteSynchronous);
        Assert.Null(options.ConnectionString);
    }

    [Theory]
    [InlineData(StorageProviderKind.Postgres, null, 256, "FULL", "ConnectionString is required")]
    [InlineData(StorageProviderKind.Postgres, "Host=x;Bogus Key=1", 256, "FULL", "ConnectionString is not valid")]
    [InlineData(StorageProviderKind.Sqlite, null, 0, "FULL", "MaxBatchSize must be positive")]
    [InlineData(StorageProviderKind.Memory, null, -1, "FULL", "MaxBatchSize must be positive")]
    [InlineData(StorageProviderKind.Sqlite, null, 256, "SOMETIMES", "SqliteSynchronous 'SOMETIMES'")]
    [InlineData((StorageProviderKind)7, null, 256, "FULL", "Provider '7'")]
    public void BadOptionsFailWithAMessageNamingTheKey(StorageProviderKind provider, string? connectionString, int maxBatchSize, string synchronous, string expected)
    {
        var options = new StorageOptions { Provider = provider, ConnectionString = connectionString, MaxBatchSize = maxBatchSize, SqliteSynchronous = synchronous };
        var error = Assert.Throws<OptionsValidationException>(() => StorageOptionsValidator.Validate(options));
        Assert.Contains(expected, error.Message);
        Assert.Contains("Cluster:Storage:", error.Message);
        Assert.Throws<OptionsValidationException>(() => StorageBackendFactory.Create(options, NullLoggerFactory.Instance));
    }

    [Fact]
    public void AnInvalidConnectionStringIsReportedWithoutEchoingIt()
    {
        var options = new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = "Host=x;Password=hunter2;Bogus Key=1" };
        var error = Assert.Throws<OptionsValidationException>(() => StorageOptionsValidator.Validate(options));
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void SynchronousIsCaseInsensitive()
        => StorageOptionsValidator.Validate(new StorageOptions { SqliteSynchronous = "normal" });
}
