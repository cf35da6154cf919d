using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Flo.Storage.Stores;

/// <summary>
/// Copies the SQLite write-ahead log into the database file from its own connection, beside the writer, instead of
/// in the writer's commit. SQLite's automatic checkpoint runs inside the commit that crosses its threshold: every
/// few dozen group commits the write loop stopped to read a thousand WAL frames, write them into the database and
/// fsync it (8 ms on average here), and every write queued behind it waited. A PASSIVE checkpoint on another
/// connection never blocks the writer, so commits go on while the database file catches up.
/// </summary>
/// <remarks>
/// Durability does not change: a commit is durable when its WAL frames are synced (<c>synchronous</c>), whoever
/// checkpoints later. The writer keeps an automatic checkpoint at <see cref="WriterBackstopPages"/>, far above what this
/// loop lets the log reach, so the log stays bounded even if this loop falls behind.
/// </remarks>
internal sealed partial class SqliteCheckpointer : IAsyncDisposable
{
    /// <summary>The writer's own automatic checkpoint threshold (pages): a backstop only.</summary>
    internal const int WriterBackstopPages = 16384;

    private readonly Func<CancellationToken, ValueTask<SqliteConnection>> open;
    private readonly TimeSpan interval;
    private readonly ILogger logger;
    private readonly SemaphoreSlim committed = new(0, 1);
    private readonly CancellationTokenSource stopping = new();
    private int pending;
    private long checkpoints;
    private Task? loop;

    /// <param name="open">Opens a connection to the database (the store's settings applied).</param>
    /// <param name="interval">How long commits accumulate before a checkpoint copies them: longer copies a page
    /// written by several commits once, and lets the log grow that much longer.</param>
    /// <param name="logger">Logs failed checkpoints.</param>
    public SqliteCheckpointer(Func<CancellationToken, ValueTask<SqliteConnection>> open, TimeSpan interval, ILogger logger)
    {
        this.open = open;
        this.interval = interval;
        this.logger = logger;
    }

    /// <summary>Checkpoints run so far.</summary>
    public long Checkpoints => Interlocked.Read(ref checkpoints);

    /// <summary>Starts the loop.</summary>
    public void Start() => loop ??= Task.Run(RunAsync);

    /// <summary>Tells the loop that a transaction committed: a checkpoint follows within <c>interval</c>.</summary>
    public void Committed()
    {
        if (Interlocked.Exchange(ref pending, 1) == 0)
        {
            committed.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
        stopping.Dispose();
        committed.Dispose();
    }

    private async Task RunAsync()
    {
        var token = stopping.Token;
        try
        {
            var connection = await open(token).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = connection.CreateCommand();
            await using var commandScope = command.ConfigureAwait(false);
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            while (true)
            {
                await committed.WaitAsync(token).ConfigureAwait(false);
                await Task.Delay(interval, token).ConfigureAwait(false);
                Volatile.Write(ref pending, 0);
                try
                {
                    // Synchronous underneath, as the writer: a worker thread for the copy and the database's fsync.
                    command.ExecuteNonQuery();
                    Interlocked.Increment(ref checkpoints);
                }
                catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
                {
                    // SQLITE_BUSY / SQLITE_LOCKED: another silo's checkpointer on the same file is copying; it covers these frames.
                }
                catch (SqliteException e)
                {
                    // The next commit asks again; meanwhile the writer's backstop bounds the log.
                    LogCheckpointFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogCheckpointerStopped(logger, e, WriterBackstopPages);
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "SQLite WAL checkpoint failed; the next commit retries it")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception error);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "SQLite WAL checkpoints stopped; the writer checkpoints itself every {Pages} pages from now on")]
    private static partial void LogCheckpointerStopped(ILogger logger, Exception error, int pages);
}
