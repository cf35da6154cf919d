using Flo.Dataflow;

namespace Flo.Grains.Dataflow;

/// <summary>Parts of a streaming generation: stored as they are emitted, served to the consumers reading them.</summary>
public sealed partial class FlowNodeGrain
{
    /// <inheritdoc/>
    public async Task EmitParts(int generation, int first, string[][] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (S.Running is not { } running || running.Generation != generation)
        {
            return;
        }
        // Parts already held (a resent call, or a re-run after a lost worker emitting them again) are skipped.
        var skip = running.Parts.Count - first;
        if (first < 0 || skip < 0)
        {
            throw new FlowArgumentException($"Node {node} generation {generation} holds {running.Parts.Count} parts; parts from {first} leave a gap.");
        }
        if (skip >= parts.Length)
        {
            return;
        }
        if (running.Parts.Count + parts.Length - skip > FlowLimits.MaxPartsPerGeneration)
        {
            throw new FlowArgumentException($"Node {node} generation {generation} streams more than {FlowLimits.MaxPartsPerGeneration} parts.");
        }
        running.Parts.AddRange(parts.Skip(skip));
        await state.WriteStateAsync();
        Signal();
    }

    /// <inheritdoc/>
    public async Task<FlowPartsPage> ReadParts(int generation, int port, int after, int blockMs, CancellationToken cancellationToken)
    {
        var deadline = Now + Math.Clamp(blockMs, 0, GrainWaits.MaxWaitMs);
        using var wait = WaitCancellation.Link(cancellationToken, lifetime);
        while (true)
        {
            var woken = changed.Task;
            var page = PartsAfter(generation, port, after);
            var remaining = deadline - Now;
            if (page.Parts.Count > 0 || page.Ended || page.Error is not null || remaining <= 0 || wait.IsCancellationRequested)
            {
                return page;
            }
            try
            {
                await woken.WaitAsync(TimeSpan.FromMilliseconds(remaining), time, wait.Token);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                return PartsAfter(generation, port, after);
            }
        }
    }

    private FlowPartsPage PartsAfter(int generation, int port, int after)
    {
        if (S.Running is { } running && running.Generation == generation)
        {
            return new FlowPartsPage { Parts = Slice(running.Parts, port, after) };
        }
        if (S.Completed == generation)
        {
            // A streaming node's parts, or a node that does not stream giving its value as the one part.
            var parts = S.Streaming ? Slice(S.LastParts, port, after) : after < 0 && port < S.Outputs.Count ? [S.Outputs[port]] : [];
            // The generation that stopped the run never ends for its consumers, as in the seed; once the run has
            // stopped they are told, so their workers are free at once.
            var held = S.HeldGeneration == generation;
            return new FlowPartsPage
            {
                Parts = parts,
                Ended = !held,
                Error = held && S.Stopped ? $"node '{node}' reached its limit at generation ({generation},) and the flow run stopped" : null,
            };
        }
        if (S.Status == FlowNodeStatus.Failed && S.FailedGeneration == generation)
        {
            return new FlowPartsPage { Error = $"node '{node}' failed at generation ({generation},): {S.Error}" };
        }
        if (generation > S.Completed && (S.Status != FlowNodeStatus.Cancelled || S.Runs.Count == 0 || S.Runs[^1].Generation < generation))
        {
            // Not started yet: the consumer waits.
            return new FlowPartsPage();
        }
        if (generation > S.Completed)
        {
            return new FlowPartsPage { Error = $"node '{node}' was stopped at generation ({generation},)" };
        }
        return new FlowPartsPage { Error = $"node '{node}' no longer holds generation ({generation},); it is at ({S.Completed},)" };
    }

    private static List<string> Slice(List<string[]> parts, int port, int after)
    {
        var from = Math.Max(after + 1, 0);
        var slice = new List<string>(Math.Max(parts.Count - from, 0));
        for (var i = from; i < parts.Count; i++)
        {
            slice.Add(port < parts[i].Length ? parts[i][port] : "null");
        }
        return slice;
    }
}
