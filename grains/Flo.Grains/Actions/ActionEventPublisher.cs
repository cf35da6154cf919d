using System.Collections.Concurrent;
using Flo.Actions;

namespace Flo.Grains.Actions;

/// <summary>
/// A silo's run and schedule events on their way to their namespace's hub (<see cref="ActionEventsGrain"/>), in
/// batches (<see cref="CallBatcher{TItem}"/>): one call per hub in flight from this silo, the events published meanwhile
/// in the next. A scheduled run publishes four events; sent one call each, they were as many grain calls as the run's
/// own work. Events keep the order they were published in on this silo, so a run's events reach watchers in order; a
/// lost batch is logged and never changes a run (events are for watchers).
/// </summary>
public sealed partial class ActionEventPublisher(IGrainFactory grains, ILogger<ActionEventPublisher> logger)
{
    private readonly ConcurrentDictionary<string, CallBatcher<ActionEvent>> hubs = new(StringComparer.Ordinal);

    /// <summary>Queues an event for its namespace's hub and returns at once.</summary>
    public void Publish(ActionEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        hubs.GetOrAdd(e.Namespace, static (ns, self) => self.HubOf(ns), this).Post(e);
    }

    private CallBatcher<ActionEvent> HubOf(string ns)
        => new(grains.GetGrainByKey<IActionEventsGrain>(ns).Publish, (error, count) => LogPublishFailed(logger, error, count, ns));

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} events of namespace {Namespace} were not published")]
    private static partial void LogPublishFailed(ILogger logger, Exception error, int count, string @namespace);
}
