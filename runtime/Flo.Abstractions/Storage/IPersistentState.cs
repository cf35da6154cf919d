namespace Flo;

/// <summary>
/// A grain's durable state. Writes are conditional on the ETag read or last written: a write that finds
/// a newer ETag in storage throws <see cref="InconsistentStateException"/> and the activation is deactivated,
/// so two activations of one grain can never both commit.
/// </summary>
public interface IPersistentState<TState> where TState : new()
{
    /// <summary>The in-memory state.</summary>
    TState State { get; set; }

    /// <summary>The ETag of the stored version, or null when nothing is stored.</summary>
    string? Etag { get; }

    /// <summary>Whether a record exists in storage.</summary>
    bool RecordExists { get; }

    /// <summary>Reloads the state from storage.</summary>
    Task ReadStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes the state; completes after the storage provider made it durable.</summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes the stored state and resets <see cref="State"/>.</summary>
    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
