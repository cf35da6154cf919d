namespace Flo.Kv;

/// <summary>Bad input to a KV operation: rejected before anything is stored. HTTP 400 / RESP error.</summary>
[GenerateSerializer]
[Alias("flo.kv.error.argument")]
public class KvArgumentException : InvalidArgumentException
{
    /// <summary>Creates the exception.</summary>
    public KvArgumentException(string message) : base(message) { }
}

/// <summary>A CAS put found another version. <see cref="CurrentVersion"/> is what the key holds (0: it does not exist).</summary>
[GenerateSerializer]
[Alias("flo.kv.error.version-conflict")]
public sealed class VersionConflictException : FloException
{
    /// <summary>Creates the exception.</summary>
    public VersionConflictException(string key, long expectedVersion, long currentVersion)
        : base($"Version conflict on key '{key}': expected version {expectedVersion}, current version {currentVersion}.")
    {
        Key = key;
        ExpectedVersion = expectedVersion;
        CurrentVersion = currentVersion;
    }

    /// <summary>The key.</summary>
    [Id(0)]
    public string Key { get; }

    /// <summary>The version the put required.</summary>
    [Id(1)]
    public long ExpectedVersion { get; }

    /// <summary>The key's current version (0 when it does not exist).</summary>
    [Id(2)]
    public long CurrentVersion { get; }
}

/// <summary>An if-not-exists put found the key. <see cref="CurrentVersion"/> is its version.</summary>
[GenerateSerializer]
[Alias("flo.kv.error.key-exists")]
public sealed class KeyExistsException : FloException
{
    /// <summary>Creates the exception.</summary>
    public KeyExistsException(string key, long currentVersion) : base($"Key '{key}' already exists (version {currentVersion}).")
    {
        Key = key;
        CurrentVersion = currentVersion;
    }

    /// <summary>The key.</summary>
    [Id(0)]
    public string Key { get; }

    /// <summary>The key's current version.</summary>
    [Id(1)]
    public long CurrentVersion { get; }
}

/// <summary>A scan cursor that this server did not issue (or that was altered).</summary>
[GenerateSerializer]
[Alias("flo.kv.error.cursor")]
public sealed class InvalidCursorException : KvArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidCursorException(string message) : base(message) { }
}
