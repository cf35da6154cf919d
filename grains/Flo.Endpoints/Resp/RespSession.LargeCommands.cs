using System.Buffers;
using System.IO.Pipelines;

namespace Flo.Endpoints.Resp;

/// <summary>
/// Commands larger than the transport's pipe holds (values up to the bulk limit), and what follows a protocol error:
/// an incomplete large command is carried in a pooled buffer of its own; after an error the bytes a client still sends
/// are read and dropped for a bounded time, so it reads the error reply instead of a reset connection.
/// </summary>
internal sealed partial class RespSession
{
    /// <summary>
    /// An incomplete command at least this large is moved out of the transport's pipe into <see cref="carry"/>: the
    /// pipe stops the socket at 1 MiB of unconsumed bytes, and a command larger than that would never complete.
    /// </summary>
    private const int CarryThreshold = 256 * 1024;

    /// <summary>Most bytes one incomplete command may hold (Redis' client query buffer limit, scaled to our bulk limit).</summary>
    private const int MaxQueryBuffer = 4 * RespReader.MaxBulkLength;

    /// <summary>How long, at most, the bytes a client still sends after a protocol error are read and dropped.</summary>
    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(10);

    /// <summary>After a protocol error, a client that sends nothing for this long is not sending more: close.</summary>
    private static readonly TimeSpan DrainIdleTime = TimeSpan.FromSeconds(1);

    /// <summary>Bytes taken out of the pipe that start an incomplete command (large values), or null.</summary>
    private byte[]? carry;

    private int carryLength;

    /// <summary>
    /// After a protocol error: reads and drops what the client still sends (the rest of an oversized value) until it
    /// closes, sends nothing for <see cref="DrainIdleTime"/>, or <see cref="DrainTime"/> passes. Closing with unread
    /// bytes would reset the connection, and a client still writing (<c>redis-cli -x SET k &lt; 20MB</c>) would never
    /// read the error reply.
    /// </summary>
    private static async Task DrainAsync(PipeReader input, bool completed, CancellationToken cancellationToken)
    {
        if (completed)
        {
            return;
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(DrainTime);
        try
        {
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);
                idle.CancelAfter(DrainIdleTime);
                var result = await input.ReadAsync(idle.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void StartCarry(ReadOnlySequence<byte> incomplete)
    {
        carry = ArrayPool<byte>.Shared.Rent((int)Math.Max(2 * incomplete.Length, 1024 * 1024));
        incomplete.CopyTo(carry);
        carryLength = (int)incomplete.Length;
    }

    /// <summary>Appends newly read bytes to the carried incomplete command.</summary>
    private void Carry(ReadOnlySequence<byte> read)
    {
        var needed = carryLength + read.Length;
        if (needed > carry!.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(needed, 2L * carry.Length), (long)MaxQueryBuffer + read.Length));
            carry.AsSpan(0, carryLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(carry);
            carry = larger;
        }
        read.CopyTo(carry.AsSpan(carryLength));
        carryLength = (int)needed;
    }

    /// <summary>Keeps what was not parsed (at the front of the carry); back to reading the pipe directly once it is empty.</summary>
    private void KeepInCarry(ReadOnlySequence<byte> rest)
    {
        var length = (int)rest.Length;
        if (length == 0)
        {
            ReleaseCarry();
            return;
        }
        var start = carryLength - length;
        carry.AsSpan(start, length).CopyTo(carry);
        carryLength = length;
    }

    private void ReleaseCarry()
    {
        if (carry is not null)
        {
            ArrayPool<byte>.Shared.Return(carry);
            carry = null;
            carryLength = 0;
        }
    }
}
