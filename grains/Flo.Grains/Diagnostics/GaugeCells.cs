using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Flo.Grains.Diagnostics;

/// <summary>
/// The values behind one observable gauge: each active grain owns a cell (its tags and latest value), sets it from its
/// own turn, and removes it when it deactivates; a metrics collection reads every cell. Reading a long written by
/// another thread is atomic, so no lock is needed and a grain never waits for a collector.
/// </summary>
internal sealed class GaugeCells
{
    private readonly ConcurrentDictionary<Cell, byte> cells = new();

    /// <summary>Adds a cell with <paramref name="tags"/>; keep it and <see cref="Cell.Set"/> it.</summary>
    public Cell Add(KeyValuePair<string, object?>[] tags)
    {
        var cell = new Cell(tags, this);
        cells.TryAdd(cell, 0);
        return cell;
    }

    /// <summary>Every cell's value with its tags.</summary>
    public IEnumerable<Measurement<long>> Read() => cells.Keys.Select(c => new Measurement<long>(Volatile.Read(ref c.Value), c.Tags));

    /// <summary>One grain's value.</summary>
    public sealed class Cell(KeyValuePair<string, object?>[] tags, GaugeCells owner) : IDisposable
    {
        internal long Value;

        internal KeyValuePair<string, object?>[] Tags { get; } = tags;

        /// <summary>Sets the value.</summary>
        public void Set(long value) => Volatile.Write(ref Value, value);

        /// <summary>Removes the cell (the grain deactivates).</summary>
        public void Dispose() => owner.cells.TryRemove(this, out _);
    }
}
