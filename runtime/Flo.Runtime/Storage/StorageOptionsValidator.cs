using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flo.Runtime.Storage;

/// <summary>Checks <see cref="StorageOptions"/> before the silo starts, so a bad value fails start-up with a clear message.</summary>
public static class StorageOptionsValidator
{
    /// <summary>The values accepted by <see cref="StorageOptions.SqliteSynchronous"/>.</summary>
    public static IReadOnlyList<string> SqliteSynchronousModes { get; } = ["OFF", "NORMAL", "FULL", "EXTRA"];

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem with <paramref name="o"/>.</summary>
    public static void Validate(StorageOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Provider))
        {
            errors.Add($"Cluster:Storage:Provider '{o.Provider}' is not one of {string.Join(", ", Enum.GetNames<StorageProviderKind>())}.");
        }
        if (o.MaxBatchSize <= 0)
        {
            errors.Add($"Cluster:Storage:MaxBatchSize must be positive (got {o.MaxBatchSize}).");
        }

        switch (o.Provider)
        {
            case StorageProviderKind.Postgres when string.IsNullOrWhiteSpace(o.ConnectionString):
                errors.Add("Cluster:Storage:ConnectionString is required when Cluster:Storage:Provider is Postgres "
                    + "(e.g. Host=db;Database=flo;Username=flo;Password=...).");
                break;
            case StorageProviderKind.Postgres:
                CheckConnectionString(errors, () => new NpgsqlConnectionStringBuilder(o.ConnectionString));
                break;
            case StorageProviderKind.Sqlite:
                if (string.IsNullOrWhiteSpace(o.ConnectionString) && string.IsNullOrWhiteSpace(o.DataDirectory))
                {
                    errors.Add("Cluster:Storage:DataDirectory must not be empty when Cluster:Storage:Provider is Sqlite.");
                }
                if (!string.IsNullOrWhiteSpace(o.ConnectionString))
                {
                    CheckConnectionString(errors, () => new SqliteConnectionStringBuilder(o.ConnectionString));
                }
                if (!SqliteSynchronousModes.Contains(o.SqliteSynchronous?.Trim().ToUpperInvariant()))
                {
                    errors.Add($"Cluster:Storage:SqliteSynchronous '{o.SqliteSynchronous}' is not one of {string.Join(", ", SqliteSynchronousModes)}.");
                }
                break;
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(StorageOptions), errors);
        }
    }

    private static void CheckConnectionString(List<string> errors, Func<object> parse)
    {
        try
        {
            parse();
        }
        catch (ArgumentException e)
        {
            // The parser's message can quote the offending value; it never needs the whole string, which may hold a password.
            errors.Add($"Cluster:Storage:ConnectionString is not valid: {e.Message}");
        }
    }
}
