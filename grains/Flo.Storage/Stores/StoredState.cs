namespace Flo.Storage.Stores;

/// <summary>What a store holds for one state.</summary>
/// <param name="Data">The serialized state (empty for a tombstone or nothing).</param>
/// <param name="Etag">The stored version; null when nothing was ever stored.</param>
/// <param name="Exists">False for nothing stored and for the tombstone a clear leaves.</param>
internal readonly record struct StoredState(ReadOnlyMemory<byte> Data, string? Etag, bool Exists)
{
    public static StoredState None => default;

    public bool IsTombstone => Etag is not null && !Exists;
}
