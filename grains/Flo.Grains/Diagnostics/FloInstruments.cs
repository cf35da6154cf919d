using System.Diagnostics.Metrics;

namespace Flo.Grains.Diagnostics;

/// <summary>
/// The platform's metrics (meter <see cref="MeterName"/>), beside Orleans' own (<c>Microsoft.Orleans</c>). Names follow
/// OpenTelemetry's conventions; the Prometheus endpoint turns dots into underscores and adds unit and <c>_total</c>
/// suffixes (<c>flo.kv.operations</c> → <c>flo_kv_operations_total</c>). Every name is listed in docs/runtime.md.
/// </summary>
/// <remarks>
/// Static, as Orleans' own instruments are: grains record without an injected dependency, and a process with several
/// silos (tests) reports them once. Gauges read <see cref="GaugeCells"/> that active grains refresh themselves, so a
/// collection never touches a grain's state from outside its turn.
/// </remarks>
public static class FloInstruments
{
    /// <summary>The platform's meter name.</summary>
    public const string MeterName = "Flo";

    private static readonly Meter Meter = new(MeterName, typeof(FloInstruments).Assembly.GetName().Version?.ToString());

    /// <summary>Queue depth (visible + delayed) per active queue partition.</summary>
    internal static readonly GaugeCells QueueDepths = new();

    /// <summary>Messages in flight (leased) per active queue partition.</summary>
    internal static readonly GaugeCells QueueInFlight = new();

    /// <summary>Dead letters per active queue partition.</summary>
    internal static readonly GaugeCells QueueDeadLetters = new();

    /// <summary>Records not yet delivered to a consumer group, per active group.</summary>
    internal static readonly GaugeCells StreamLags = new();

    /// <summary>KV operations: tags <c>namespace</c>, <c>operation</c> (get, put, delete, history), <c>outcome</c> (ok, not_found, conflict, exists).</summary>
    internal static readonly Counter<long> KvOperations = Meter.CreateCounter<long>("flo.kv.operations", "{operation}", "KV operations by operation and outcome.");

    /// <summary>Counts one KV operation (<see cref="KvOperations"/>), wherever it was answered: a key grain or its silo's table of values.</summary>
    internal static void CountKv(string ns, string operation, string outcome)
        => KvOperations.Add(1, new("namespace", ns), new("operation", operation), new("outcome", outcome));

    /// <summary>
    /// Operations per key grain call (<c>Execute</c>), tag <c>namespace</c>: above 1 when a RESP pipeline's commands on
    /// one key, or concurrent writes of one key through one silo (<c>KvKeyCalls</c>), share a call.
    /// </summary>
    internal static readonly Histogram<long> KvOpsPerCall = Meter.CreateHistogram<long>("flo.kv.call.operations", "{operation}", "Operations carried by one KV key grain call.");

    /// <summary>Leases that expired (the message redelivered or dead-lettered): tags <c>namespace</c>, <c>queue</c>.</summary>
    internal static readonly Counter<long> QueueLeaseExpiries = Meter.CreateCounter<long>("flo.queue.lease.expiries", "{lease}", "Queue leases that expired before an ack.");

    /// <summary>Runs that finished: tags <c>namespace</c>, <c>action</c>, <c>status</c> (completed, failed, cancelled, timed_out).</summary>
    internal static readonly Counter<long> RunsFinished = Meter.CreateCounter<long>("flo.action.runs.finished", "{run}", "Action runs that finished, by final status.");

    /// <summary>Time from a run's invoke to its end (all attempts and retry delays): tags as <see cref="RunsFinished"/>.</summary>
    internal static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("flo.action.run.duration", "ms", "Action run time from invoke to its final status.");

    /// <summary>How late a schedule's run was invoked after its due time: tags <c>namespace</c>, <c>action</c>.</summary>
    internal static readonly Histogram<double> ScheduleLateness = Meter.CreateHistogram<double>("flo.schedule.lateness", "ms", "Time from a schedule's due time to its run's invoke.");

    /// <summary>Due times a schedule held back because its previous run had not started yet: tags as <see cref="ScheduleLateness"/>.</summary>
    internal static readonly Counter<long> ScheduleHeld = Meter.CreateCounter<long>("flo.schedule.held", "{fire}", "Schedule fires held back while the schedule's previous run waited for its first start.");

    static FloInstruments()
    {
        Meter.CreateObservableGauge("flo.queue.depth", QueueDepths.Read, "{message}", "Messages waiting (visible or delayed) per queue partition.");
        Meter.CreateObservableGauge("flo.queue.in_flight", QueueInFlight.Read, "{message}", "Messages leased and not yet acked per queue partition.");
        Meter.CreateObservableGauge("flo.queue.dead_letters", QueueDeadLetters.Read, "{message}", "Messages in the dead-letter queue per queue partition.");
        Meter.CreateObservableGauge("flo.stream.group.lag", StreamLags.Read, "{record}", "Records a consumer group has not been delivered yet.");
    }

    /// <summary>Tags of one namespace and name (a queue's, a stream's, an action's), built once per grain.</summary>
    internal static KeyValuePair<string, object?>[] Tags(string ns, string kind, string name, params KeyValuePair<string, object?>[] more)
        => [new("namespace", ns), new(kind, name), .. more];
}
