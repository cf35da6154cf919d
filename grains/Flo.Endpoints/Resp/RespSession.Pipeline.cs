using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text;
using Flo.Kv;

namespace Flo.Endpoints.Resp;

/// <summary>
/// Pipelined commands: a run of commands that each touch one key is split by key; each key's commands go to its key
/// grain in one call (<see cref="KvApi.ExecuteAsync"/>: applied in order, stored by one write), keys concurrently, and
/// the replies are copied out in the pipeline's order. Any other command (SELECT, SCAN, MSET, ...) ends the run and runs
/// after it, so a pipeline behaves as if its commands ran one after another.
/// </summary>
internal sealed partial class RespSession
{
    // Pooled state machine (awaited once by its caller): reused from command to command instead of allocated per command.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExecuteBatchAsync(List<byte[][]> batch, PipeWriter output, CancellationToken cancellationToken)
    {
        var i = 0;
        while (i < batch.Count && !quit)
        {
            var end = i;
            while (end < batch.Count && SingleKey(batch[end]) is not null)
            {
                end++;
            }
            if (end - i < 2)
            {
                await ExecuteAsync(batch[i], new RespWriter(output), cancellationToken).ConfigureAwait(false);
                i++;
                continue;
            }
            await ExecuteRunAsync(batch, i, end, output, cancellationToken).ConfigureAwait(false);
            i = end;
        }
    }

    /// <summary>Commands <paramref name="start"/>..<paramref name="end"/> (each on one key): per key in order, keys concurrently.</summary>
    private async Task ExecuteRunAsync(List<byte[][]> batch, int start, int end, PipeWriter output, CancellationToken cancellationToken)
    {
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = start; i < end; i++)
        {
            var key = SingleKey(batch[i])!;
            if (!byKey.TryGetValue(key, out var indices))
            {
                byKey[key] = indices = [];
            }
            indices.Add(i);
        }
        var replies = new IBufferWriter<byte>[end - start];
        if (byKey.Count == 1)
        {
            // One key: its commands answer one after another, in the pipeline's order, straight into the output.
            Array.Fill(replies, output);
            var (key, indices) = byKey.First();
            await ExecuteKeyAsync(batch, key, indices, start, replies, cancellationToken).ConfigureAwait(false);
            return;
        }
        for (var i = 0; i < replies.Length; i++)
        {
            replies[i] = new ArrayBufferWriter<byte>(64);
        }
        var keys = new Task[byKey.Count];
        var k = 0;
        foreach (var (key, indices) in byKey)
        {
            keys[k++] = ExecuteKeyAsync(batch, key, indices, start, replies, cancellationToken);
        }
        await Task.WhenAll(keys).ConfigureAwait(false);
        foreach (var reply in replies)
        {
            output.Write(((ArrayBufferWriter<byte>)reply).WrittenSpan);
        }
    }

    /// <summary>One key's commands of a run, in order: consecutive batchable ones in one grain call, others one by one.</summary>
    private async Task ExecuteKeyAsync(List<byte[][]> batch, string key, List<int> indices, int start, IBufferWriter<byte>[] replies, CancellationToken cancellationToken)
    {
        var pending = new List<(int Index, RespKvOp Op)>(indices.Count);
        foreach (var index in indices)
        {
            if (RespKvOp.TryParse(batch[index], kv.MaxValueBytes, out var op))
            {
                // As ExecuteAsync does for one command: a command the token does not grant answers and does not run.
                if (!access.Enabled || !Refused(Encoding.ASCII.GetString(batch[index][0]).ToUpperInvariant(), new RespWriter(replies[index - start])))
                {
                    pending.Add((index, op));
                }
                continue;
            }
            await FlushKeyBatchAsync(batch, key, pending, start, replies, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(batch[index], new RespWriter(replies[index - start]), cancellationToken).ConfigureAwait(false);
        }
        await FlushKeyBatchAsync(batch, key, pending, start, replies, cancellationToken).ConfigureAwait(false);
    }

    private async Task FlushKeyBatchAsync(List<byte[][]> batch, string key, List<(int Index, RespKvOp Op)> pending, int start, IBufferWriter<byte>[] replies, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }
        if (pending.Count == 1)
        {
            await ExecuteAsync(batch[pending[0].Index], new RespWriter(replies[pending[0].Index - start]), cancellationToken).ConfigureAwait(false);
            pending.Clear();
            return;
        }
        var ops = new KvOp[pending.Count];
        for (var i = 0; i < ops.Length; i++)
        {
            ops[i] = pending[i].Op.Op;
        }
        try
        {
            var results = await kv.ExecuteAsync(ns, key, ops, OneCall).ConfigureAwait(false);
            for (var i = 0; i < results.Length; i++)
            {
                pending[i].Op.WriteReply(new RespWriter(replies[pending[i].Index - start]), results[i]);
            }
        }
        catch (FloException e)
        {
            // As for one command (ExecuteAsync): a typed error is every batched command's reply.
            foreach (var (index, _) in pending)
            {
                new RespWriter(replies[index - start]).Error(e.Message);
            }
        }
        pending.Clear();
    }
}
