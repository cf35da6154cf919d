namespace Flo.Reminders;

/// <summary>
/// Options of <see cref="SqliteReminderTable"/>, the reminder table of the embedded single silo.
/// Set exactly one of <see cref="ConnectionString"/> and <see cref="DataDirectory"/>; checked by
/// <see cref="SqliteReminderTableOptionsValidator"/> before the silo starts.
/// </summary>
public sealed class SqliteReminderTableOptions
{
    /// <summary>The file created in <see cref="DataDirectory"/>: the database the platform's SQLite grain storage uses too.</summary>
    public const string DatabaseFileName = "flo.db";

    /// <summary>
    /// A Microsoft.Data.Sqlite connection string (e.g. <c>Data Source=/var/lib/flo/flo.db</c>). Default none.
    /// Pooling and <c>Mode=ReadWriteCreate</c> are forced on.
    /// </summary>
    [Redact]
    public string? ConnectionString { get; set; }

    /// <summary>The directory holding <see cref="DatabaseFileName"/>, created when missing. Default none.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>
    /// How long a statement waits for another connection's write lock (<c>PRAGMA busy_timeout</c>) before failing.
    /// Default 5 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
