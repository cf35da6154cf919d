namespace Flo.Dataflow.Internal;

/// <summary>
/// Sends a streaming generation's parts to its node grain in order: the first part at once, later ones batched while a
/// send is in flight, so a fast producer costs a few calls, not one per part. Parts carry their index, so a resent
/// batch (or a re-run's) is not stored twice.
/// </summary>
internal sealed class PartEmitter(IFlowNodeGrain node, int generation, CancellationToken cancellationToken)
{
    private const int MaxBatch = 256;
    private readonly List<string[]> buffer = [];
    private Task sending = Task.CompletedTask;
    private int sent;

    /// <summary>How many parts were handed to the emitter.</summary>
    public int Count => sent + buffer.Count;

    public async ValueTask AddAsync(string[] part)
    {
        buffer.Add(part);
        if (sending.IsCompleted || buffer.Count >= MaxBatch)
        {
            await sending.ConfigureAwait(false);
            Send();
        }
    }

    public async Task FlushAsync()
    {
        await sending.ConfigureAwait(false);
        if (buffer.Count > 0)
        {
            Send();
            await sending.ConfigureAwait(false);
        }
    }

    private void Send()
    {
        var batch = buffer.ToArray();
        var first = sent;
        sent += batch.Length;
        buffer.Clear();
        sending = SendAsync(first, batch);
    }

    private async Task SendAsync(int first, string[][] batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await node.EmitParts(generation, first, batch).WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt < 8 && (e is not FloException and not OperationCanceledException || e is CallOutcomeUnknownException or ClusterUnavailableException))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
