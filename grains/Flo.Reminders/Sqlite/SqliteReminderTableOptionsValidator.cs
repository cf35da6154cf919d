using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Flo.Reminders;

/// <summary>Checks <see cref="SqliteReminderTableOptions"/> before the silo starts.</summary>
public sealed class SqliteReminderTableOptionsValidator(IOptions<SqliteReminderTableOptions> options) : IConfigurationValidator
{
    /// <inheritdoc/>
    public void ValidateConfiguration()
    {
        var o = options.Value;
        var hasConnectionString = !string.IsNullOrWhiteSpace(o.ConnectionString);
        var hasDirectory = !string.IsNullOrWhiteSpace(o.DataDirectory);
        if (hasConnectionString == hasDirectory)
        {
            throw Error($"set exactly one of {nameof(o.ConnectionString)} and {nameof(o.DataDirectory)}");
        }
        if (hasConnectionString)
        {
            SqliteConnectionStringBuilder builder;
            try
            {
                builder = new SqliteConnectionStringBuilder(o.ConnectionString);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw Error($"{nameof(o.ConnectionString)} is not a SQLite connection string: {e.Message}");
            }
            if (string.IsNullOrWhiteSpace(builder.DataSource))
            {
                throw Error($"{nameof(o.ConnectionString)} has no Data Source");
            }
        }
        if (o.BusyTimeout <= TimeSpan.Zero || o.BusyTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw Error($"{nameof(o.BusyTimeout)} must be positive and at most {int.MaxValue} ms, not {o.BusyTimeout}");
        }
    }

    private static OrleansConfigurationException Error(string what)
        => new($"Invalid {nameof(SqliteReminderTableOptions)}: {what}.");
}
