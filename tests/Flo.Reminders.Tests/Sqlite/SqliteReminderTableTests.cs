using Flo.Reminders.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Flo.Reminders.Tests.Sqlite;

[Trait("Category", "Reminders")]
public sealed class SqliteReminderTableTests : ReminderTableContractTests
{
    private readonly TempDirectory directory = new();

    private string DataDirectory => Path.Combine(directory.Path, "data");

    protected override async Task<IReminderTable> CreateTableAsync(string serviceId)
    {
        var table = Create(serviceId, new SqliteReminderTableOptions { DataDirectory = DataDirectory });
        await table.StartAsync();
        return table;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        directory.Dispose();
    }

    private static SqliteReminderTable Create(string serviceId, SqliteReminderTableOptions options)
        => new(Options.Create(new ClusterOptions { ServiceId = serviceId, ClusterId = "test" }), Options.Create(options), NullLogger<SqliteReminderTable>.Instance);

    [Fact]
    public async Task StartCreatesTheFileInWalModeAndCanRunAgain()
    {
        var file = Path.Combine(DataDirectory, SqliteReminderTableOptions.DatabaseFileName);
        Assert.True(File.Exists(file));
        await ((SqliteReminderTable)Table).StartAsync(); // idempotent, also with rows in the table
        await Table.UpsertRow(Entry(Grain("a"), "r"));
        await ((SqliteReminderTable)Table).StartAsync();
        Assert.Single((await Table.ReadRows(Grain("a"))).Reminders);

        await using var connection = new SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AConnectionStringCanNameTheFile()
    {
        var file = Path.Combine(directory.Path, "other.db");
        var table = Create("service-a", new SqliteReminderTableOptions { ConnectionString = $"Data Source={file}" });
        await table.StartAsync();
        await table.UpsertRow(Entry(Grain("a"), "r"));
        Assert.True(File.Exists(file));
        Assert.Equal(file, table.DataSource);
        Assert.Null(await Table.ReadRow(Grain("a"), "r")); // another file
        await table.StopAsync();
    }

    [Theory]
    [InlineData(null, null, 5, "exactly one")]
    [InlineData("Data Source=x.db", "./data", 5, "exactly one")]
    [InlineData("Nonsense Key=1", null, 5, "not a SQLite connection string")]
    [InlineData(null, "./data", 0, "BusyTimeout")]
    public void OptionsAreValidated(string? connectionString, string? dataDirectory, int busySeconds, string message)
    {
        var options = new SqliteReminderTableOptions
        {
            ConnectionString = connectionString,
            DataDirectory = dataDirectory,
            BusyTimeout = TimeSpan.FromSeconds(busySeconds),
        };
        var error = Assert.Throws<OrleansConfigurationException>(() => new SqliteReminderTableOptionsValidator(Options.Create(options)).ValidateConfiguration());
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void DefaultsAreDocumented()
    {
        var options = new SqliteReminderTableOptions();
        Assert.Null(options.ConnectionString);
        Assert.Null(options.DataDirectory);
        Assert.Equal(TimeSpan.FromSeconds(5), options.BusyTimeout);
        new SqliteReminderTableOptionsValidator(Options.Create(new SqliteReminderTableOptions { DataDirectory = "./data" })).ValidateConfiguration();
    }
}
