namespace Flo.Kv;

/// <summary>Bad input: rejected before anything is stored. Wire status: Rejected / HTTP 400 / RESP error.</summary>
public sealed class InvalidArgumentException(string message) : FloException(message);

/// <summary>A CAS put found another version. <see cref="CurrentVersion"/> is what the key holds (0: it does not exist).</summary>
public sealed class VersionConflictException(string key, long expectedVersion, long currentVersion)
    : FloException($"Version conflict on key '{key}': expected version {expectedVersion}, current version {currentVersion}.")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;

    /// <summary>The version the put required.</summary>
    public long ExpectedVersion { get; } = expectedVersion;

    /// <summary>The key's current version (0 when it does not exist).</summary>
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>An if-not-exists put found the key. <see cref="CurrentVersion"/> is its version.</summary>
public sealed class KeyExistsException(string key, long currentVersion)
    : FloException($"Key '{key}' already exists (version {currentVersion}).")
{
    /// <summary>The key.</summary>
    public string Key { get; } = key;

    /// <summary>The key's current version.</summary>
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>A scan cursor that this server did not issue (or that was altered).</summary>
public sealed class InvalidCursorException(string message) : FloException(message);
