using System.Diagnostics.Metrics;

namespace Flo.Actions.Tests;

/// <summary>
/// Counts the measurements one instrument of the platform's meter records for one action (its <c>action</c> tag), as
/// they are recorded: a test sees what the silos in its process did without scraping.
/// </summary>
internal sealed class ActionMeasurements : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly string action;
    private long count;

    public ActionMeasurements(string instrument, string action)
    {
        this.action = action;
        listener.InstrumentPublished = (published, l) =>
        {
            if (published.Name == instrument)
            {
                l.EnableMeasurementEvents(published);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => Record(tags));
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
        listener.Start();
    }

    /// <summary>Measurements recorded for the action so far.</summary>
    public long Count => Interlocked.Read(ref count);

    public void Dispose() => listener.Dispose();

    private void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "action" && Equals(tag.Value, action))
            {
                Interlocked.Increment(ref count);
            }
        }
    }
}
