using System.Threading.Channels;

namespace Flo.Storage.Stores;

/// <summary>
/// Concurrent state reads of many activations, asked of the database together: a few loops each take whatever reads
/// are waiting (up to the batch size) and read them with one query, so activating many grains at once (a pipeline of
/// new keys) costs a query per batch instead of a round trip and a statement each. A lone read is taken at once by an
/// idle loop, so it waits for no batch.
/// </summary>
internal sealed class ReadBatcher : IAsyncDisposable
{
    private readonly Channel<PendingRead> queue = Channel.CreateUnbounded<PendingRead>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<StateKey>, Task<StoredState[]>> readBatch;
    private readonly int maxBatchSize;
    private readonly string name;
    private readonly Task[] loops;

    /// <param name="name">Names the storage in errors.</param>
    /// <param name="concurrency">How many batches may be in flight at once.</param>
    /// <param name="maxBatchSize">The most reads per query.</param>
    /// <param name="readBatch">Reads the keys, answering in their order (<see cref="StoredState.None"/> for nothing stored).</param>
    public ReadBatcher(string name, int concurrency, int maxBatchSize, Func<IReadOnlyList<StateKey>, Task<StoredState[]>> readBatch)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        this.name = name;
        this.maxBatchSize = maxBatchSize;
        this.readBatch = readBatch;
        loops = [.. Enumerable.Range(0, concurrency).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Reads one state; <paramref name="cancellationToken"/> ends the wait (the read itself may still run).</summary>
    public Task<StoredState> ReadAsync(StateKey key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var read = new PendingRead(key);
        if (!queue.Writer.TryWrite(read))
        {
            throw new ObjectDisposedException(name, $"{name} is shut down; {key} was not read.");
        }
        return cancellationToken.CanBeCanceled ? read.Completion.Task.WaitAsync(cancellationToken) : read.Completion.Task;
    }

    /// <summary>Reads already queued are answered; new ones are refused.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingRead>(maxBatchSize);
        var keys = new List<StateKey>(maxBatchSize);
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < maxBatchSize && queue.Reader.TryRead(out var read))
            {
                batch.Add(read);
                keys.Add(read.Key);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                var stored = await readBatch(keys).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Completion.TrySetResult(stored[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var read in batch)
                {
                    read.Completion.TrySetException(e);
                }
            }
            batch.Clear();
            keys.Clear();
        }
    }

    private sealed class PendingRead(StateKey key)
    {
        public StateKey Key { get; } = key;

        public TaskCompletionSource<StoredState> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
