using Flo.Storage;

namespace Flo.Runtime.Storage;

/// <summary>The memory backend: for tests. It never owns the data, so a silo stopping does not lose the state its test cluster shares.</summary>
internal sealed class MemoryStorageBackend(MemoryGrainStorage storage, bool shared) : IStorageBackend
{
    public StorageProviderKind Kind => StorageProviderKind.Memory;

    public IGrainStorage GrainStorage => storage;

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public string Describe() => shared
        ? "memory storage shared by the silos of this process (for tests: nothing survives the process)"
        : "memory storage (for tests: nothing survives the process)";

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
