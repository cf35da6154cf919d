using Flo.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Flo.Storage;

/// <summary>
/// The platform's Orleans grain storage provider: memory (tests), SQLite (embedded) or PostgreSQL (clusters), chosen by
/// <see cref="FloStorageOptions.Provider"/>. Register it with <c>siloBuilder.AddFloGrainStorage(name, ...)</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>State is stored in the Orleans serializer's version-tolerant binary format (<c>[GenerateSerializer]</c>, <c>[Id]</c>), keyed by
/// <see cref="GrainId.ToString"/> and the state name.</item>
/// <item>Writes and clears are conditional on the ETag (a decimal version); a stale ETag throws <see cref="InconsistentStateException"/>
/// and changes nothing, which makes Orleans deactivate the activation so it reloads.</item>
/// <item>A clear leaves a tombstone whose version keeps counting (no ABA: a writer holding an ETag from before the clear
/// cannot recreate the state) and deletes the state's records.</item>
/// <item>SQL providers group-commit: concurrent writes of many grains share one transaction (up to <see cref="FloStorageOptions.MaxBatchSize"/>).</item>
/// <item>Records beside a state (<see cref="IRecordGrainStorage"/>) and its listing (<see cref="IGrainListing"/>) change atomically with the state's conditional write.</item>
/// </list>
/// The schema is applied at silo start (<see cref="ServiceLifecycleStage.RuntimeStorageServices"/>), before grains run.
/// </remarks>
public sealed partial class FloGrainStorage : IRecordGrainStorage, IGrainListing, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable
{
    private readonly IStateStore store;
    private readonly Serializer serializer;
    private readonly IActivatorProvider activators;
    private readonly ILogger logger;

    /// <summary>Creates a provider; nothing is opened until <see cref="InitializeAsync"/> (which the silo calls at start).</summary>
    /// <param name="name">The provider name (for logs and errors).</param>
    /// <param name="options">Options; validated here (<see cref="OptionsValidationException"/> when invalid).</param>
    /// <param name="serializer">Orleans' serializer, which stores the states.</param>
    /// <param name="activators">Creates the empty state a read of nothing, or a clear, leaves.</param>
    /// <param name="loggerFactory">Logging.</param>
    public FloGrainStorage(string name, FloStorageOptions options, Serializer serializer, IActivatorProvider activators, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(activators);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        FloStorageOptionsValidator.ThrowIfInvalid(name, options);
        Name = name;
        this.serializer = serializer;
        this.activators = activators;
        logger = loggerFactory.CreateLogger<FloGrainStorage>();
        store = options.Provider switch
        {
            FloStorageProvider.Memory => MemoryStateStore.Get(options.MemoryStoreName),
            FloStorageProvider.Sqlite => new SqliteStateStore(options, loggerFactory),
            FloStorageProvider.Postgres => new PostgresStateStore(options, loggerFactory),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown storage provider."),
        };
    }

    /// <summary>The provider's name.</summary>
    public string Name { get; }

    /// <summary>The database kind.</summary>
    public FloStorageProvider Provider => store.Provider;

    /// <summary>The schema version of the database once initialized (0 for memory).</summary>
    public int SchemaVersion => store.SchemaVersion;

    /// <summary>How writes were grouped into transactions so far.</summary>
    public WriteBatchStatistics Statistics => store.Statistics;

    /// <summary>Creates the provider named <paramref name="name"/> from a silo's services (its named <see cref="FloStorageOptions"/>).</summary>
    public static FloGrainStorage Create(IServiceProvider services, string name)
        => new(
            name,
            services.GetRequiredService<IOptionsMonitor<FloStorageOptions>>().Get(name),
            services.GetRequiredService<Serializer>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILoggerFactory>());

    /// <summary>Forgets the process-wide memory store <paramref name="memoryStoreName"/> (tests: after their cluster stopped).</summary>
    public static bool RemoveMemoryStore(string memoryStoreName) => MemoryStateStore.Remove(memoryStoreName);

    /// <summary>
    /// Creates the database (SQLite file, directory) when needed, applies the schema scripts not yet applied and starts
    /// the writer. Idempotent; the silo calls it at start.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => store.InitializeAsync(cancellationToken);

    /// <summary>Whether the database answers a trivial query (for the silo's readiness endpoint).</summary>
    public Task<bool> CheckHealthAsync(CancellationToken cancellationToken = default) => store.CheckHealthAsync(cancellationToken);

    /// <summary>One line for the start-up log and the readiness endpoint; passwords are redacted.</summary>
    public string Describe() => $"grain storage '{Name}': {store.Describe()}";

    /// <summary>Commits the writes already queued, refuses new ones and closes the database.</summary>
    public ValueTask DisposeAsync() => store.DisposeAsync();

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe(
            $"{nameof(FloGrainStorage)}-{Name}",
            ServiceLifecycleStage.RuntimeStorageServices,
            async ct =>
            {
                await InitializeAsync(ct).ConfigureAwait(false);
                LogStarted(logger, Describe());
            },
            async _ => await DisposeAsync().ConfigureAwait(false));

    /// <inheritdoc/>
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StateKey.From(grainId, stateName);
        var stored = await store.ReadAsync(key, cancellationToken).ConfigureAwait(false);
        grainState.ETag = stored.Etag;
        grainState.RecordExists = stored.Exists;
        grainState.State = stored.Exists ? serializer.Deserialize<T>(stored.Data) : NewState<T>();
    }

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => WriteStateAsync(stateName, grainId, grainState, [], null, CancellationToken.None);

    /// <inheritdoc/>
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
        => WriteStateAsync(stateName, grainId, grainState, [], null, cancellationToken);

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, IReadOnlyList<GrainRecordChange> records, GrainListingChange? listing, CancellationToken cancellationToken)
    {
        var key = StateKey.From(grainId, stateName);
        GrainRecordChanges.Validate(key, records);
        var data = serializer.SerializeToArray(grainState.State);
        grainState.ETag = await store.WriteAsync(key, data, grainState.ETag, records, listing, cancellationToken).ConfigureAwait(false);
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc/>
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        var key = StateKey.From(grainId, stateName);
        grainState.ETag = await store.ClearAsync(key, grainState.ETag, cancellationToken).ConfigureAwait(false);
        grainState.RecordExists = false;
        grainState.State = NewState<T>();
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<GrainRecord>> ReadRecordsAsync(string stateName, GrainId grainId, long afterId, int limit, CancellationToken cancellationToken)
    {
        var key = StateKey.From(grainId, stateName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.ReadRecordsAsync(key, afterId, limit, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ListedGrain>> ListAsync(string stateName, GrainType grainType, string keyPrefix, string? afterKey, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var type = grainType + "/";
        var listed = await store.ListAsync(stateName, type + keyPrefix, afterKey is null ? null : type + afterKey, limit, cancellationToken).ConfigureAwait(false);
        return WithoutType(listed, type.Length);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ListedGrain>> ListDueAsync(string stateName, GrainType grainType, long dueBy, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var type = grainType + "/";
        return WithoutType(await store.ListDueAsync(stateName, type, dueBy, limit, cancellationToken).ConfigureAwait(false), type.Length);
    }

    /// <summary>The stores list grain ids (<c>type/key</c>); callers asked for keys of one type.</summary>
    private static ListedGrain[] WithoutType(IReadOnlyList<ListedGrain> listed, int typeLength)
    {
        var keys = new ListedGrain[listed.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = listed[i] with { Key = listed[i].Key[typeLength..] };
        }
        return keys;
    }

    private T NewState<T>() => activators.GetActivator<T>().Create();

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Started {Description}")]
    private static partial void LogStarted(ILogger logger, string description);
}
