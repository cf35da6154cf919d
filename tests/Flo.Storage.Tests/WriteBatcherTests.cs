using Flo.Storage.Stores;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Storage.Tests;

/// <summary>
/// The write queue's loops: with several, batches commit at once (PostgreSQL's <c>PostgresWriteBatches</c>), and every
/// write still completes once, with its batch's outcome.
/// </summary>
public sealed class WriteBatcherTests
{
    private static StateWrite Write(int i) => new(new StateKey($"g/{i}", "s"), new byte[] { 1 }, null, [], null);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public async Task SeveralLoopsCommitBatchesAtOnceAndCompleteEveryWrite(int loops)
    {
        var inside = 0;
        var mostInside = 0;
        var overlapped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = 0;
        await using var batcher = new WriteBatcher("test", maxBatchSize: 1, async writes =>
        {
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref mostInside, now);
            if (now >= 2)
            {
                overlapped.TrySetResult();
            }
            // A batch holds its loop until another one is running beside it (or, with one loop, never: the test fails).
            await overlapped.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Interlocked.Decrement(ref inside);
            Interlocked.Increment(ref batches);
            foreach (var write in writes)
            {
                write.NewVersion = 1;
            }
        }, NullLogger.Instance, loops);
        batcher.Start();

        var versions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => batcher.EnqueueAsync(Write(i), CancellationToken.None)));

        Assert.All(versions, v => Assert.Equal(1L, v));
        Assert.InRange(mostInside, 2, loops);
        Assert.Equal(20, batcher.Statistics.Writes);
        Assert.Equal(20, Volatile.Read(ref batches));
    }

    [Fact]
    public async Task OneLoopNeverRunsTwoBatchesAtOnce()
    {
        var inside = 0;
        var mostInside = 0;
        await using var batcher = new WriteBatcher("test", maxBatchSize: 1, async writes =>
        {
            InterlockedMax(ref mostInside, Interlocked.Increment(ref inside));
            await Task.Yield();
            Interlocked.Decrement(ref inside);
            foreach (var write in writes)
            {
                write.NewVersion = 1;
            }
        }, NullLogger.Instance);
        batcher.Start();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => batcher.EnqueueAsync(Write(i), CancellationToken.None)));

        Assert.Equal(1, mostInside);
        Assert.Equal(50, batcher.Statistics.Batches);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
