using Flo.Runtime.Storage;
using Flo.Runtime.Tests.Infrastructure;
using Flo.Storage;
using Npgsql;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Storage;

[Trait("Category", "Storage")]
public sealed class PostgreSqlGrainStorageTests(PostgresFixture postgres, ITestOutputHelper output)
    : RelationalGrainStorageContractTests(output), IClassFixture<PostgresFixture>
{
    protected override string Dialect => "postgres";

    protected override string PoisonTriggerSql => """
        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.grain_key LIKE 'poison%' THEN RAISE EXCEPTION 'poisoned write'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER poison BEFORE INSERT ON grain_state FOR EACH ROW EXECUTE FUNCTION poison();
        """;

    protected override StorageOptions CreateOptions() => new() { Provider = StorageProviderKind.Postgres, ConnectionString = postgres.ConnectionString };

    protected override async Task<StorageOptions> CreateFreshDatabaseOptionsAsync()
        => new() { Provider = StorageProviderKind.Postgres, ConnectionString = await postgres.CreateDatabaseAsync() };

    [Fact]
    public void TheDescriptionRedactsThePassword()
    {
        var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = "hunter2" };
        var description = StorageBackendFactory.Create(
            new StorageOptions { Provider = StorageProviderKind.Postgres, ConnectionString = builder.ToString() },
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).Describe();
        Assert.DoesNotContain("hunter2", description);
        Assert.Contains("***", description);
        Assert.Contains(builder.Database!, description);
    }

    [Fact]
    public async Task CancelingAQueuedWriteAbandonsItButAWriteAlreadyInABatchGoesAhead()
    {
        var blocked = NewId();
        var etag = await Storage.WriteAsync(blocked, "s", new byte[] { 1 }, null, None);

        // Another transaction holds the row, so the batch carrying the next write of it waits inside the database.
        await using var holder = new NpgsqlConnection(postgres.ConnectionString);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM grain_state WHERE grain_key = $1 FOR UPDATE", holder, hold))
        {
            lockRow.Parameters.Add(new NpgsqlParameter<string> { TypedValue = blocked.Key });
            await lockRow.ExecuteNonQueryAsync();
        }

        using var inBatch = new CancellationTokenSource();
        var taken = Storage.WriteAsync(blocked, "s", new byte[] { 2 }, etag, inBatch.Token);
        await WaitUntilABatchWaitsOnALockAsync();

        using var queued = new CancellationTokenSource();
        var abandoned = NewId();
        var waiting = Storage.WriteAsync(abandoned, "s", new byte[] { 3 }, null, queued.Token);
        await queued.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        await inBatch.CancelAsync();
        Assert.False(taken.IsCompleted);
        await hold.CommitAsync();

        Assert.Equal("2", await taken);
        Assert.Equal(new byte[] { 2 }, (await Storage.ReadAsync(blocked, "s", None)).Data.ToArray());
        Assert.Equal(GrainStateRecord.None, await Storage.ReadAsync(abandoned, "s", None));
    }

    private async Task WaitUntilABatchWaitsOnALockAsync()
    {
        await using var observer = new NpgsqlConnection(postgres.ConnectionString);
        await observer.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", observer);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // Polls a database condition (not a guess at timing): the batch's UPDATE is queued behind the row lock.
        while ((long)(await query.ExecuteScalarAsync())! == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "No batch started waiting on the held row.");
            await Task.Delay(10);
        }
    }
}
