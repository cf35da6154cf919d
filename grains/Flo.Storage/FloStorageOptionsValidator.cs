using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flo.Storage;

/// <summary>
/// Checks <see cref="FloStorageOptions"/> when a provider's options are first read (when the silo creates the provider,
/// before it starts), listing every problem in one <see cref="OptionsValidationException"/>.
/// </summary>
public sealed class FloStorageOptionsValidator : IValidateOptions<FloStorageOptions>
{
    /// <summary>The values accepted by <see cref="FloStorageOptions.SqliteSynchronous"/>.</summary>
    public static IReadOnlyList<string> SqliteSynchronousModes { get; } = ["OFF", "NORMAL", "FULL", "EXTRA"];

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FloStorageOptions options)
    {
        var errors = Check(name, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem with <paramref name="options"/>.</summary>
    public static void ThrowIfInvalid(string name, FloStorageOptions options)
    {
        var errors = Check(name, options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(FloStorageOptions), errors);
        }
    }

    private static List<string> Check(string? name, FloStorageOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var errors = new List<string>();
        var who = $"Flo grain storage '{name}'";
        if (!Enum.IsDefined(o.Provider))
        {
            errors.Add($"{who}: Provider '{o.Provider}' is not one of {string.Join(", ", Enum.GetNames<FloStorageProvider>())}.");
        }
        if (o.PostgresWriteBatches is < 1 or > 64)
        {
            errors.Add($"{who}: PostgresWriteBatches must be 1 to 64 (got {o.PostgresWriteBatches}).");
        }
        if (o.MaxBatchSize <= 0)
        {
            errors.Add($"{who}: MaxBatchSize must be positive (got {o.MaxBatchSize}).");
        }

        switch (o.Provider)
        {
            case FloStorageProvider.Postgres when string.IsNullOrWhiteSpace(o.ConnectionString):
                errors.Add($"{who}: ConnectionString is required when Provider is Postgres (e.g. Host=db;Database=flo;Username=flo;Password=...).");
                break;
            case FloStorageProvider.Postgres:
                CheckConnectionString(errors, who, () => new NpgsqlConnectionStringBuilder(o.ConnectionString));
                break;
            case FloStorageProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(o.ConnectionString) && string.IsNullOrWhiteSpace(o.DataDirectory))
                {
                    errors.Add($"{who}: DataDirectory must not be empty when Provider is Sqlite and no ConnectionString is given.");
                }
                if (!string.IsNullOrWhiteSpace(o.ConnectionString))
                {
                    CheckConnectionString(errors, who, () => new SqliteConnectionStringBuilder(o.ConnectionString));
                }
                if (!SqliteSynchronousModes.Contains(o.SqliteSynchronous?.Trim().ToUpperInvariant()))
                {
                    errors.Add($"{who}: SqliteSynchronous '{o.SqliteSynchronous}' is not one of {string.Join(", ", SqliteSynchronousModes)}.");
                }
                break;
        }
        return errors;
    }

    private static void CheckConnectionString(List<string> errors, string who, Func<object> parse)
    {
        try
        {
            parse();
        }
        catch (ArgumentException e)
        {
            // The parser's message can quote the offending key; it never needs the whole string, which may hold a password.
            errors.Add($"{who}: ConnectionString is not valid: {e.Message}");
        }
    }
}
