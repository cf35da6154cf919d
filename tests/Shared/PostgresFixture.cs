using System.Diagnostics;
using Npgsql;

namespace Flo.Tests.Shared;

/// <summary>
/// A fresh database on the test PostgreSQL server for one test class, dropped afterwards, so test classes never see
/// each other's rows. The server comes from FLO_TEST_POSTGRES (set by ./test.sh); without it, scripts/postgres.sh
/// starts one (once per test process), so plain `dotnet test` works too. A server started that way is left running for
/// the next run; `scripts/postgres.sh stop` ends it.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim ServerLock = new(1, 1);
    private static string? server;
    private readonly List<string> databases = [];

    /// <summary>Connection string of this fixture's own database.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await CreateDatabaseAsync();

    /// <summary>Creates one more empty database (dropped with the fixture) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var serverConnectionString = await ServerAsync();
        var database = "flo_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(serverConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        lock (databases)
        {
            databases.Add(database);
        }
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ToString();
    }

    public async Task DisposeAsync()
    {
        if (server is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        foreach (var database in databases)
        {
            // FORCE: a backend a test forgot to dispose must not keep the database alive.
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task<string> ServerAsync()
    {
        await ServerLock.WaitAsync();
        try
        {
            return server ??= Environment.GetEnvironmentVariable("FLO_TEST_POSTGRES") is { Length: > 0 } configured
                ? configured
                : await StartServerAsync();
        }
        finally
        {
            ServerLock.Release();
        }
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
            throw new InvalidOperationException("FLO_TEST_POSTGRES is not set and the repository root (Cluster.sln) was not found; run ./test.sh.");
        }
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(dir, "scripts", "postgres.sh"), "start"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh start failed ({process.ExitCode}): {await errors}");
        }
        // The script logs to stderr and prints the connection string as its last line on stdout.
        return (await output).Trim().Split('\n')[^1];
    }
}
