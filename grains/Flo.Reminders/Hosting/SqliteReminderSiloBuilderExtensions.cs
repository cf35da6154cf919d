using Flo.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Orleans.Hosting;

/// <summary>Registers <see cref="SqliteReminderTable"/> as the silo's reminder table, with Orleans' reminder service.</summary>
public static class SqliteReminderSiloBuilderExtensions
{
    /// <summary>
    /// Enables reminders (<see cref="SiloBuilderReminderExtensions.AddReminders(ISiloBuilder)"/>) stored in SQLite.
    /// </summary>
    /// <example><c>silo.UseSqliteReminderService(o => o.DataDirectory = "./data")</c></example>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteReminderTableOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.UseSqliteReminderService(options => options.Configure(configureOptions));
    }

    /// <summary>As <see cref="UseSqliteReminderService(ISiloBuilder, Action{SqliteReminderTableOptions})"/>, binding the options with an <see cref="OptionsBuilder{TOptions}"/> (e.g. from configuration).</summary>
    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<OptionsBuilder<SqliteReminderTableOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.ConfigureServices(services => services.UseSqliteReminderService(configureOptions));
    }

    /// <summary>The service-collection form of <see cref="UseSqliteReminderService(ISiloBuilder, Action{OptionsBuilder{SqliteReminderTableOptions}})"/>.</summary>
    public static IServiceCollection UseSqliteReminderService(this IServiceCollection services, Action<OptionsBuilder<SqliteReminderTableOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configureOptions);
        services.AddReminders();
        services.AddSingleton<SqliteReminderTable>();
        services.AddSingleton<IReminderTable>(sp => sp.GetRequiredService<SqliteReminderTable>());
        services.AddSingleton<IConfigurationValidator, SqliteReminderTableOptionsValidator>();
        services.ConfigureFormatter<SqliteReminderTableOptions>();
        configureOptions(services.AddOptions<SqliteReminderTableOptions>());
        return services;
    }
}
