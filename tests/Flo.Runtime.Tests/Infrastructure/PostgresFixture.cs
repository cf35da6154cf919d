using System.Diagnostics;
using Npgsql;

namespace Flo.Runtime.Tests.Infrastructure;

/// <summary>
/// A fresh database on the test PostgreSQL server for one test class. The server comes from FLO_TEST_POSTGRES (set
/// by ./test.sh); without it, scripts/postgres.sh starts one, so plain `dotnet test` works too.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private string? serverConnectionString;
    private string database = "";

    /// <summary>Connection string of this fixture's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable("FLO_TEST_POSTGRES") ?? await StartServerAsync();
        database = "flo_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ToString();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(serverConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartServerAsync()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Cluster.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        if (dir is null)
        {
            throw new InvalidOperationException("FLO_TEST_POSTGRES is not set and the repository root was not found; run ./test.sh.");
        }
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(dir, "scripts", "postgres.sh"), "start"])
        {
            RedirectStandardOutput = true,
            WorkingDirectory = dir,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("scripts/postgres.sh start failed.");
        }
        return output.Trim().Split('\n')[^1];
    }
}
