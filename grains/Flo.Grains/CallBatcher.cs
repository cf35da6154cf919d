namespace Flo.Grains;

/// <summary>
/// Calls to one grain, in batches: at most one call in flight, and the items that arrive meanwhile go together in the
/// next one (up to a batch size), in the order they came. For a silo whose many activations send small items to the
/// same grain (index upserts, run events): the grain gets one call per round trip instead of one per item.
/// </summary>
/// <remarks>
/// Calls are sent from the thread pool, never from the scheduler of the activation that added the item (the loop
/// outlives its turn), and an item's completion resumes its awaiter asynchronously, on the awaiter's own scheduler.
/// </remarks>
internal sealed class CallBatcher<TItem>(Func<TItem[], Task> send, Action<Exception, int>? onFailure = null, int maxBatch = 1024)
{
    private readonly Lock gate = new();
    private List<(TItem Item, TaskCompletionSource? Sent)> pending = [];
    private bool sending;

    /// <summary>Adds an item; completes when the call that carried it returned, or fails with that call's error.</summary>
    public Task Add(TItem item)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(item, sent);
        return sent.Task;
    }

    /// <summary>Adds an item nobody waits for; a failed call is reported to the failure callback.</summary>
    public void Post(TItem item) => Enqueue(item, null);

    private void Enqueue(TItem item, TaskCompletionSource? sent)
    {
        lock (gate)
        {
            pending.Add((item, sent));
            if (sending)
            {
                return;
            }
            sending = true;
        }
        _ = Task.Run(SendAsync);
    }

    private async Task SendAsync()
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource? Sent)> batch;
            lock (gate)
            {
                if (pending.Count == 0)
                {
                    sending = false;
                    return;
                }
                if (pending.Count <= maxBatch)
                {
                    batch = pending;
                    pending = [];
                }
                else
                {
                    batch = pending.GetRange(0, maxBatch);
                    pending.RemoveRange(0, maxBatch);
                }
            }
            var items = new TItem[batch.Count];
            for (var i = 0; i < batch.Count; i++)
            {
                items[i] = batch[i].Item;
            }
            try
            {
                await send(items).ConfigureAwait(false);
                foreach (var (_, sent) in batch)
                {
                    sent?.TrySetResult();
                }
            }
            catch (Exception e)
            {
                // Each item fails as its own call would have.
                onFailure?.Invoke(e, items.Length);
                foreach (var (_, sent) in batch)
                {
                    sent?.TrySetException(e);
                }
            }
        }
    }
}
