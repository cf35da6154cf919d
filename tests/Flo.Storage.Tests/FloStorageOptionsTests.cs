using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace Flo.Storage.Tests;

[Trait("Category", "Storage")]
public sealed class FloStorageOptionsTests
{
    [Fact]
    public void TheDefaultsAreAnEmbeddedSqliteFileUnderData()
    {
        var options = new FloStorageOptions();
        FloStorageOptionsValidator.ThrowIfInvalid("default", options);
        Assert.Equal(FloStorageProvider.Sqlite, options.Provider);
        Assert.Equal("./data", options.DataDirectory);
        Assert.Equal(256, options.MaxBatchSize);
        Assert.Equal(2, options.PostgresWriteBatches);
        Assert.Equal("FULL", options.SqliteSynchronous);
        Assert.Null(options.ConnectionString);
        Assert.Null(options.MemoryStoreName);
    }

    [Theory]
    [InlineData(FloStorageProvider.Postgres, null, 256, "FULL", "ConnectionString is required")]
    [InlineData(FloStorageProvider.Postgres, "Host=x;Bogus Key=1", 256, "FULL", "ConnectionString is not valid")]
    [InlineData(FloStorageProvider.Sqlite, null, 0, "FULL", "MaxBatchSize must be positive")]
    [InlineData(FloStorageProvider.Memory, null, -1, "FULL", "MaxBatchSize must be positive")]
    [InlineData(FloStorageProvider.Sqlite, null, 256, "SOMETIMES", "SqliteSynchronous 'SOMETIMES'")]
    [InlineData((FloStorageProvider)7, null, 256, "FULL", "Provider '7'")]
    public void BadOptionsFailWithAMessageNamingTheProviderAndTheOption(FloStorageProvider provider, string? connectionString, int maxBatchSize, string synchronous, string expected)
    {
        var options = new FloStorageOptions { Provider = provider, ConnectionString = connectionString, MaxBatchSize = maxBatchSize, SqliteSynchronous = synchronous };
        var error = Assert.Throws<OptionsValidationException>(() => FloStorageOptionsValidator.ThrowIfInvalid("orders", options));
        Assert.Contains(expected, error.Message);
        Assert.Contains("Flo grain storage 'orders'", error.Message);
        Assert.Throws<OptionsValidationException>(() => TestServices.CreateStorage(options));
    }

    [Fact]
    public void AnInvalidConnectionStringIsReportedWithoutEchoingIt()
    {
        var options = new FloStorageOptions { Provider = FloStorageProvider.Postgres, ConnectionString = "Host=x;Password=hunter2;Bogus Key=1" };
        var error = Assert.Throws<OptionsValidationException>(() => FloStorageOptionsValidator.ThrowIfInvalid("x", options));
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Fact]
    public void SynchronousIsCaseInsensitive()
        => FloStorageOptionsValidator.ThrowIfInvalid("x", new FloStorageOptions { SqliteSynchronous = "normal" });

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void PostgresWriteBatchesOutOfRangeFailsWithAMessage(int batches)
    {
        var options = new FloStorageOptions { Provider = FloStorageProvider.Postgres, ConnectionString = "Host=x", PostgresWriteBatches = batches };
        var error = Assert.Throws<OptionsValidationException>(() => FloStorageOptionsValidator.ThrowIfInvalid("orders", options));
        Assert.Contains($"PostgresWriteBatches must be 1 to 64 (got {batches})", error.Message);
    }

    [Fact]
    public void TheRegisteredValidatorChecksTheNamedOptions()
    {
        var services = new ServiceCollection();
        services.AddFloGrainStorage("orders", o => { o.Provider = FloStorageProvider.Postgres; o.MaxBatchSize = 0; });
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<FloStorageOptions>>().Get("orders"));
        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("ConnectionString is required"));
    }
}
