using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Storage;

/// <summary>Creates the <see cref="IStorageBackend"/> that <see cref="StorageOptions"/> describe.</summary>
public static class StorageBackendFactory
{
    /// <summary>
    /// Validates <paramref name="options"/> and creates the backend (nothing is opened until
    /// <see cref="IStorageBackend.InitializeAsync"/>). <paramref name="sharedMemory"/>, when given, is used whatever the
    /// configured provider: it is how the silos of an in-process test cluster share one memory store.
    /// </summary>
    public static IStorageBackend Create(StorageOptions options, ILoggerFactory loggerFactory, MemoryGrainStorage? sharedMemory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        if (sharedMemory is not null)
        {
            return new MemoryStorageBackend(sharedMemory, shared: true);
        }
        StorageOptionsValidator.Validate(options);
        return options.Provider switch
        {
            StorageProviderKind.Memory => new MemoryStorageBackend(new MemoryGrainStorage(), shared: false),
            StorageProviderKind.Sqlite => new SqliteStorageBackend(options, loggerFactory),
            StorageProviderKind.Postgres => new PostgreSqlStorageBackend(options, loggerFactory),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown storage provider."),
        };
    }
}
