using System.Data.Common;
using Flo.Tests.Shared;
using Npgsql;
using Xunit.Abstractions;

namespace Flo.Storage.Tests.Contract;

[Trait("Category", "Storage")]
public sealed class PostgresGrainStorageTests(PostgresFixture postgres, ITestOutputHelper output)
    : RelationalGrainStorageContractTests(output), IClassFixture<PostgresFixture>
{
    protected override string Dialect => "postgres";

    protected override string PoisonTriggerSql => """
        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.grain_id LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned write'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER poison BEFORE INSERT ON flo_grain_state FOR EACH ROW EXECUTE FUNCTION poison();
        """;

    protected override string OldRuntimeSql => """
        CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_utc timestamptz NOT NULL);
        INSERT INTO schema_version VALUES (1, 'grain_state', now()), (2, 'membership', now()), (3, 'reminders', now()), (4, 'grain_records', now());
        CREATE TABLE grain_state (grain_type text NOT NULL, grain_key text NOT NULL, state_name text NOT NULL, payload bytea NULL,
            version bigint NOT NULL, PRIMARY KEY (grain_type, grain_key, state_name));
        INSERT INTO grain_state VALUES ('test', 'old', 's', '\x01', 7);
        """;

    protected override FloStorageOptions CreateOptions() => new() { Provider = FloStorageProvider.Postgres, ConnectionString = postgres.ConnectionString };

    protected override async Task<FloStorageOptions> CreateFreshDatabaseOptionsAsync()
        => new() { Provider = FloStorageProvider.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() };

    protected override async Task<DbConnection> OpenAsync(FloStorageOptions options)
    {
        var connection = new NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task ABatchedReadAnswersEachKeyInItsPlace()
    {
        var stored = NewId();
        var cleared = NewId();
        var etag = await WriteAsync(stored, 41, null);
        var tombstone = await ClearAsync(cleared, await WriteAsync(cleared, 1, null));
        await using var store = new Flo.Storage.Stores.PostgresStateStore(CreateOptions(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var missing = Flo.Storage.Stores.StateKey.From(NewId(), "s");
        var results = await store.ReadManyAsync([missing, Flo.Storage.Stores.StateKey.From(cleared, "s"), Flo.Storage.Stores.StateKey.From(stored, "s"), missing]);
        Assert.Equal([null, tombstone, etag, null], results.Select(r => r.Etag));
        Assert.Equal([false, false, true, false], results.Select(r => r.Exists));
        Assert.Equal([false, true, false, false], results.Select(r => r.IsTombstone));
        Assert.False(results[2].Data.IsEmpty);
    }

    [Fact]
    public void TheDescriptionRedactsThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = "hunter2" };
        var description = TestServices.CreateStorage(new FloStorageOptions { Provider = FloStorageProvider.Postgres, ConnectionString = builder.ToString() }).Describe();
        Assert.DoesNotContain("hunter2", description);
        Assert.Contains("***", description);
        Assert.Contains(builder.Database!, description);
    }

    [Fact]
    public async Task FloSchemaAppliesTheSameScriptsAndIsANoOpAfterTheProvider()
    {
        // The provider of this class already migrated its database; the host's call finds nothing to do.
        Assert.Equal(FloSchema.PostgresVersion, Storage.SchemaVersion);
        Assert.Equal(FloSchema.PostgresVersion, await FloSchema.ApplyPostgresAsync(postgres.ConnectionString));
        await using var connection = await OpenAsync(CreateOptions());
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM OrleansQuery";
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 20);
    }
}
