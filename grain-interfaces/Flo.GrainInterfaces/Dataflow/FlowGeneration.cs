using System.Globalization;

namespace Flo.Dataflow;

/// <summary>
/// A node's generation, the seed's tuple: <c>(3,)</c> is the final value of the node's fourth run, <c>(3, 1)</c> the
/// second part it streamed in that run. A final value orders after every part of its run: <c>(3, 0) &lt; (3, 1) &lt;
/// (3,) &lt; (4, 0)</c>. Implicitly converts from an <see cref="int"/> (<c>StopAt = 3</c> means <c>(3,)</c>).
/// </summary>
/// <param name="Main">The run (0 for the first).</param>
/// <param name="Part">The streamed part of that run (0 for the first), or null for the run's final value.</param>
[GenerateSerializer]
[Alias("flo.flow.generation")]
public readonly record struct FlowGeneration([property: Id(0)] int Main, [property: Id(1)] int? Part = null) : IComparable<FlowGeneration>
{
    /// <summary>The final value of run <paramref name="main"/>: <c>(main,)</c>.</summary>
    public static implicit operator FlowGeneration(int main) => new(main);

    /// <summary>Whether this is a streamed part rather than a final value.</summary>
    public bool IsPart => Part is not null;

    /// <inheritdoc/>
    public int CompareTo(FlowGeneration other)
    {
        if (Main != other.Main)
        {
            return Main.CompareTo(other.Main);
        }
        return (Part, other.Part) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            ({ } a, { } b) => a.CompareTo(b),
        };
    }

    /// <summary>Seed order (<see cref="CompareTo"/>).</summary>
    public static bool operator <(FlowGeneration a, FlowGeneration b) => a.CompareTo(b) < 0;

    /// <summary>Seed order (<see cref="CompareTo"/>).</summary>
    public static bool operator >(FlowGeneration a, FlowGeneration b) => a.CompareTo(b) > 0;

    /// <summary>Seed order (<see cref="CompareTo"/>).</summary>
    public static bool operator <=(FlowGeneration a, FlowGeneration b) => a.CompareTo(b) <= 0;

    /// <summary>Seed order (<see cref="CompareTo"/>).</summary>
    public static bool operator >=(FlowGeneration a, FlowGeneration b) => a.CompareTo(b) >= 0;

    /// <summary>The seed's notation: <c>(3,)</c> or <c>(3, 1)</c>.</summary>
    public override string ToString() => Part is { } p
        ? string.Create(CultureInfo.InvariantCulture, $"({Main}, {p})")
        : string.Create(CultureInfo.InvariantCulture, $"({Main},)");
}
