using Flo.Tests.Shared;
using Npgsql;
using ServiceSample.Grains;

namespace Flo.Silo.Tests;

/// <summary>
/// Users' own grains use the silo's default grain storage, chosen by <c>Cluster:DefaultGrainStorage</c>: Orleans'
/// <c>Microsoft.Orleans.Persistence.AdoNet</c> on the cluster's PostgreSQL, while the platform's grains stay on ours.
/// </summary>
[Trait("Category", "Silo")]
public sealed class DefaultGrainStorageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task WithAdoNetAsDefaultAUsersGrainIsStoredByOrleansAdoNetProviderAndThePlatformByOurs()
    {
        await using (var cluster = await PlatformTestCluster.DeployAsync(new PlatformClusterOptions
        {
            Storage = Flo.Storage.FloStorageProvider.Postgres,
            ConnectionString = postgres.ConnectionString,
            Configuration = new Dictionary<string, string?>
            {
                ["Cluster:DefaultGrainStorage"] = "AdoNet",
                ["Cluster:GrainAssemblies:0"] = typeof(VisitCounterGrain).Assembly.Location,
            },
        }))
        {
            await using var client = await cluster.ConnectAsync();
            Assert.Equal(1, (await client.Grains.GetGrain<IVisitCounterGrain>("grace").Visit()).Visits);
            await client.Kv.PutAsync("platform-key", [1]);
        }

        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString LIKE '%grace%' AND PayloadBinary IS NOT NULL"));
        Assert.True(await ScalarAsync(connection, "SELECT count(*) FROM flo_grain_state WHERE grain_id LIKE '%platform-key%'") >= 1);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
