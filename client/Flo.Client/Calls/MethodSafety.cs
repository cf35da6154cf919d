using System.Collections.Concurrent;
using System.Reflection;
using Orleans.Concurrency;

namespace Flo.Calls;

/// <summary>
/// Whether a grain method may run more than once with the effect of once: marked <see cref="ReadOnlyAttribute"/> or
/// <see cref="IdempotentAttribute"/>. Looked up once per <see cref="MethodInfo"/> (the generated invokers hand out one
/// cached instance per method), never per call.
/// </summary>
internal static class MethodSafety
{
    private static readonly ConcurrentDictionary<MethodInfo, Kind> Cache = new();

    /// <summary>What the filter needs to know about a method.</summary>
    [Flags]
    public enum Kind
    {
        /// <summary>May change state: resent only when it certainly did not run.</summary>
        None = 0,

        /// <summary><c>[ReadOnly]</c> or <c>[Idempotent]</c>: resent after a timeout or a lost connection too.</summary>
        Idempotent = 1,

        /// <summary><c>[OneWay]</c>: completes when sent; nothing to retry.</summary>
        OneWay = 2,
    }

    /// <summary>The method's kind (cached).</summary>
    public static Kind Of(MethodInfo? method)
        => method is null ? Kind.None : Cache.GetOrAdd(method, static m => Inspect(m));

    private static Kind Inspect(MethodInfo method)
    {
        var kind = Kind.None;
        if (method.IsDefined(typeof(ReadOnlyAttribute), inherit: true) || method.IsDefined(typeof(IdempotentAttribute), inherit: true))
        {
            kind |= Kind.Idempotent;
        }
        if (method.IsDefined(typeof(OneWayAttribute), inherit: true))
        {
            kind |= Kind.OneWay;
        }
        return kind;
    }
}
