namespace Flo.Kv.Tests.Linearizability;

/// <summary>One operation on one key as a client saw it: when it was sent, when its answer came, what it wrote or read.</summary>
/// <param name="Process">Which client process ran it (for messages).</param>
/// <param name="IsWrite">A SET (else a GET).</param>
/// <param name="Value">The value written, or read (null: the key did not exist).</param>
/// <param name="Invoked">Stopwatch timestamp before the command was sent.</param>
/// <param name="Returned">Stopwatch timestamp after its answer arrived.</param>
public sealed record RegisterOp(int Process, bool IsWrite, string? Value, long Invoked, long Returned)
{
    /// <inheritdoc/>
    public override string ToString() => $"p{Process} {(IsWrite ? "SET" : "GET")} {Value ?? "nil"} [{Invoked}, {Returned}]";
}

/// <summary>
/// Checks that a history of reads and writes of one register (one key) is linearizable: that there is one order of all
/// operations, consistent with real time (an operation that returned before another was invoked comes first), in which
/// every read returns the value of the last write before it. A search in the style of Wing and Gong with Lowe's
/// memoisation of (operations done, register value); fine for the few dozen operations per key a test makes.
/// </summary>
public static class RegisterHistory
{
    /// <summary>Whether <paramref name="ops"/> (at most 64, on a key that did not exist before) is linearizable.</summary>
    public static bool IsLinearizable(IReadOnlyList<RegisterOp> ops)
    {
        if (ops.Count > 64)
        {
            throw new ArgumentException("At most 64 operations per key.", nameof(ops));
        }
        var sorted = ops.OrderBy(o => o.Invoked).ToArray();
        var all = sorted.Length == 64 ? ulong.MaxValue : (1UL << sorted.Length) - 1;
        var seen = new HashSet<(ulong, string?)>();
        return Search(sorted, all, 0, null, seen);
    }

    private static bool Search(RegisterOp[] ops, ulong all, ulong done, string? value, HashSet<(ulong, string?)> seen)
    {
        if (done == all)
        {
            return true;
        }
        // Only an operation invoked before every pending one returned may take effect next.
        var earliestReturn = long.MaxValue;
        for (var i = 0; i < ops.Length; i++)
        {
            if ((done & (1UL << i)) == 0)
            {
                earliestReturn = Math.Min(earliestReturn, ops[i].Returned);
            }
        }
        for (var i = 0; i < ops.Length && ops[i].Invoked <= earliestReturn; i++)
        {
            if ((done & (1UL << i)) != 0)
            {
                continue;
            }
            var op = ops[i];
            if (!op.IsWrite && op.Value != value)
            {
                continue;
            }
            var next = op.IsWrite ? op.Value : value;
            var nextDone = done | (1UL << i);
            if (seen.Add((nextDone, next)) && Search(ops, all, nextDone, next, seen))
            {
                return true;
            }
        }
        return false;
    }
}
