using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Flo.Storage.Stores;

/// <summary>
/// Group commit for the SQL stores: concurrent writes from many activations queue here, and a loop drains whatever
/// is pending (up to the batch size) into a single transaction, so a durable commit (an fsync) is paid per batch
/// rather than per write. While one batch commits, the next one fills up. A store whose database takes several writers
/// (PostgreSQL) runs several loops, each committing its own batches; SQLite runs one.
/// </summary>
/// <remarks>
/// The executor runs the statements of a batch in one transaction and records each write's outcome
/// (<see cref="StateWrite.NewVersion"/>); a conditional statement matching zero rows is an outcome, not an error, so
/// one write's ETag conflict never fails the others. Callers are completed only after the executor returned, that is
/// after the commit; if it throws, every write of the batch fails with that error.
/// </remarks>
internal sealed partial class WriteBatcher : IAsyncDisposable
{
    private readonly Channel<StateWrite> queue;
    private readonly Func<IReadOnlyList<StateWrite>, Task> executeBatch;
    private readonly int maxBatchSize;
    private readonly int loops;
    private readonly string name;
    private readonly KeyValuePair<string, object?> storageTag;
    private readonly ILogger logger;
    private readonly Lock startLock = new();
    private Task? loop;
    private long batches;
    private long writes;
    private int largestBatch;
    private long failedBatches;

    /// <param name="name">Names the storage in logs and errors.</param>
    /// <param name="maxBatchSize">The most writes per transaction.</param>
    /// <param name="executeBatch">Runs one batch in one transaction; called by up to <paramref name="loops"/> loops at once.</param>
    /// <param name="logger">Logs failed batches.</param>
    /// <param name="loops">How many batches may commit at once (1: one after another).</param>
    /// <param name="storage">The <c>storage</c> tag of the batch metrics (<see cref="StorageInstruments"/>).</param>
    public WriteBatcher(string name, int maxBatchSize, Func<IReadOnlyList<StateWrite>, Task> executeBatch, ILogger logger, int loops = 1, string storage = "unknown")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(loops);
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.loops = loops;
        storageTag = new("storage", storage);
        queue = Channel.CreateUnbounded<StateWrite>(new UnboundedChannelOptions { SingleReader = loops == 1 });
        this.executeBatch = executeBatch;
        this.logger = logger;
    }

    public WriteBatchStatistics Statistics => new(Interlocked.Read(ref batches), Interlocked.Read(ref writes), Volatile.Read(ref largestBatch), Interlocked.Read(ref failedBatches));

    /// <summary>Starts the loops that execute batches.</summary>
    public void Start()
    {
        lock (startLock)
        {
            loop ??= Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(RunAsync)));
        }
    }

    /// <summary>
    /// Queues a write and waits until its batch committed. Returns the new version, or null when the ETag condition did
    /// not hold. <paramref name="cancellationToken"/> cancels only the wait before the write is taken into a batch;
    /// after that the write goes ahead and the caller learns its outcome.
    /// </summary>
    public async Task<long?> EnqueueAsync(StateWrite write, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Volatile.Read(ref loop) is null && !queue.Reader.Completion.IsCompleted)
        {
            // Queuing would wait forever: nothing executes writes until the store is initialized.
            throw new InvalidOperationException($"{name} is not initialized; the write of {write.Key} was not executed. The silo initializes it at start (or call FloGrainStorage.InitializeAsync).");
        }
        if (!queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(name, $"{name} is shut down; the write of {write.Key} was not executed.");
        }
        if (!cancellationToken.CanBeCanceled)
        {
            return await write.Completion.ConfigureAwait(false);
        }
        using (cancellationToken.UnsafeRegister(static (state, token) => ((StateWrite)state!).TryCancel(token), write))
        {
            return await write.Completion.ConfigureAwait(false);
        }
    }

    /// <summary>Stops accepting writes, commits the ones already queued, and ends the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        Task? running;
        lock (startLock)
        {
            running = loop;
        }
        if (running is not null)
        {
            await running.ConfigureAwait(false);
            return;
        }
        // Never started: nobody will execute what is queued.
        while (queue.Reader.TryRead(out var write))
        {
            if (write.TryTake())
            {
                write.Fail(new ObjectDisposedException(name, $"{name} was shut down before it started; the write of {write.Key} was not executed."));
            }
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<StateWrite>(Math.Min(maxBatchSize, 1024));
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < maxBatchSize && reader.TryRead(out var write))
            {
                if (write.TryTake())
                {
                    batch.Add(write);
                }
            }
            if (batch.Count == 0)
            {
                continue;
            }

            Exception? failure = null;
            var started = Stopwatch.GetTimestamp();
            try
            {
                await executeBatch(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure = e;
            }
            StorageInstruments.BatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, storageTag);
            StorageInstruments.BatchWrites.Record(batch.Count, storageTag);

            Interlocked.Increment(ref batches);
            Interlocked.Add(ref writes, batch.Count);
            for (var largest = Volatile.Read(ref largestBatch); batch.Count > largest; largest = Volatile.Read(ref largestBatch))
            {
                if (Interlocked.CompareExchange(ref largestBatch, batch.Count, largest) == largest)
                {
                    break;
                }
            }
            if (failure is null)
            {
                foreach (var write in batch)
                {
                    write.Complete();
                }
            }
            else
            {
                Interlocked.Increment(ref failedBatches);
                LogBatchFailed(logger, failure, name, batch.Count);
                foreach (var write in batch)
                {
                    write.Fail(failure);
                }
            }
            batch.Clear();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Storage}: a batch of {Count} state writes failed; each of them fails with this error")]
    private static partial void LogBatchFailed(ILogger logger, Exception error, string storage, int count);
}
