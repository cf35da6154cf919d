using System.Text;
using Flo.Actions;
using Flo.Hosting;
using Flo.Tests.Shared;

namespace Flo.Silo.Tests;

/// <summary>
/// A silo's <c>/metrics</c> (Prometheus text format): the platform's meter (KV operations, queue depth, in flight and
/// lease expiries, stream group lag, run outcomes and durations, schedule lateness) beside Orleans', ASP.NET Core's
/// and the .NET runtime's. Each test works in its own namespace and looks for its own series.
/// </summary>
public sealed class MetricsTests(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{PlatformTestCluster.Listeners(fixture.Cluster.Silos[0]).HttpPort}") };

    private FloClient In(string ns) => new(fixture.Client.Grains, fixture.Client.Options with { Namespace = ns });

    public void Dispose() => http.Dispose();

    /// <summary>
    /// Scrapes until each of <paramref name="names"/> has a series with <paramref name="label"/> (the exporter caches a
    /// scrape for a moment); fails when they do not all appear within <see cref="Patience"/>.
    /// </summary>
    private async Task<string> ScrapeUntilAsync(string label, params string[] names)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var text = await http.GetStringAsync(FloTelemetry.MetricsPath);
            var lines = text.Split('\n');
            var missing = names.Where(n => !lines.Any(l => l.StartsWith(n + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))).ToList();
            if (missing.Count == 0)
            {
                return text;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not in /metrics with {label} after {Patience}: {string.Join(", ", missing)}");
            await Task.Delay(250);
        }
    }

    /// <summary>The value of the one series line that starts with <paramref name="series"/> (name and labels, up to the value).</summary>
    private static double Value(string text, string name, params string[] labels)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task KvOperationsAndRunOutcomesAreCountedByNamespace()
    {
        var ns = $"metrics-{Guid.NewGuid():N}";
        var client = In(ns);
        await client.Kv.PutAsync("k", Encoding.UTF8.GetBytes("v"));
        await client.Kv.GetAsync("k");
        await client.Kv.GetAsync("missing");
        await client.Action.RegisterAsync("work", new ActionRegisterOptions(MaxRetries: 0));
        await using var worker = client.NewActionWorker();
        worker.Action("work", ctx => ctx.Text == "fail" ? throw new InvalidOperationException("no") : Task.FromResult(ctx.Payload));
        await worker.StartAsync();
        foreach (var payload in new[] { "ok", "ok", "fail" })
        {
            await client.Action.WaitAsync(await client.Action.InvokeAsync("work", Encoding.UTF8.GetBytes(payload)), Patience);
        }

        // A schedule's lateness is recorded as it invokes its run (the first one a second from now).
        await client.Action.RegisterAsync("tick");
        var schedule = await client.Schedule.IntervalAsync("tick", TimeSpan.FromSeconds(1));

        var nsLabel = $"namespace=\"{ns}\"";
        var text = await ScrapeUntilAsync(nsLabel, "flo_kv_operations_total", "flo_action_runs_finished_total", "flo_action_run_duration_milliseconds_count", "flo_schedule_lateness_milliseconds_count");
        await client.Schedule.DeleteAsync(schedule.Id);
        Assert.True(Value(text, "flo_schedule_lateness_milliseconds_count", nsLabel, "action=\"tick\"") >= 1);
        Assert.Equal(1, Value(text, "flo_kv_operations_total", nsLabel, "operation=\"put\"", "outcome=\"ok\""));
        Assert.Equal(1, Value(text, "flo_kv_operations_total", nsLabel, "operation=\"get\"", "outcome=\"ok\""));
        Assert.Equal(1, Value(text, "flo_kv_operations_total", nsLabel, "operation=\"get\"", "outcome=\"not_found\""));
        Assert.Equal(2, Value(text, "flo_action_runs_finished_total", nsLabel, "action=\"work\"", "status=\"completed\""));
        Assert.Equal(1, Value(text, "flo_action_runs_finished_total", nsLabel, "action=\"work\"", "status=\"failed\""));
        Assert.Equal(2, Value(text, "flo_action_run_duration_milliseconds_count", nsLabel, "status=\"completed\""));
        // Beside the platform's: Orleans' and the runtime's.
        Assert.Contains("orleans_", text);
        Assert.Contains("dotnet_gc_collections_total", text);
    }

    [Fact]
    public async Task QueueDepthAndStreamLagAreGaugesOfTheActivePartitionsAndGroups()
    {
        var ns = $"metrics-{Guid.NewGuid():N}";
        var client = In(ns);
        for (var i = 0; i < 3; i++)
        {
            await client.Queue.EnqueueAsync("q", [(byte)i]);
        }
        var leased = await client.Queue.DequeueAsync("q", 1, new Flo.Queues.DequeueOptions(VisibilityTimeoutMs: 1));
        Assert.Single(leased);
        await client.Stream.GroupJoinAsync("s", "g", "c");
        for (var i = 0; i < 4; i++)
        {
            await client.Stream.AppendAsync("s", [(byte)i]);
        }
        // Stats and group info also refresh the gauges at once (they sample every 10 s otherwise).
        await Task.Delay(50);
        await client.Queue.StatsAsync("q");
        await client.Stream.GroupInfoAsync("s", "g");

        var nsLabel = $"namespace=\"{ns}\"";
        var text = await ScrapeUntilAsync(nsLabel, "flo_queue_depth", "flo_queue_in_flight", "flo_queue_lease_expiries_total", "flo_stream_group_lag");
        // The 1 ms lease expired and the message went back: 3 waiting, 0 in flight, one expiry counted.
        Assert.Equal(3, Value(text, "flo_queue_depth", nsLabel, "queue=\"q\"", "partition=\"0\""));
        Assert.Equal(0, Value(text, "flo_queue_in_flight", nsLabel, "queue=\"q\""));
        Assert.Equal(1, Value(text, "flo_queue_lease_expiries_total", nsLabel, "queue=\"q\""));
        Assert.Equal(4, Value(text, "flo_stream_group_lag", nsLabel, "stream=\"s\"", "group=\"g\""));
    }
}
