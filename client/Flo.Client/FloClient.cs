using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace Flo;

/// <summary>
/// The one client of the platform (mirrors the SDK's <c>FloClient("localhost:9000")</c>), over an Orleans
/// <see cref="IClusterClient"/>. KV, queues and streams are properties; <see cref="Grains"/> reaches grains directly.
/// Scripts call <see cref="ConnectAsync"/>; services register it with <c>services.AddFloClient(...)</c>.
/// </summary>
public sealed class FloClient : IAsyncDisposable
{
    private readonly IHost? ownedHost;

    /// <summary>
    /// Wraps a connected Orleans client (or a silo's grain factory): how <c>AddFloClient</c> builds it, and how a
    /// service that already has an <see cref="IClusterClient"/> uses the platform on the same connection. Calls are
    /// resent (see <see cref="FloRetryOptions"/>) only when that client was configured with <c>FloClientDefaults</c>
    /// (<see cref="ConnectAsync"/>, <c>AddFloClient</c>); over any other client or a silo they go out once.
    /// </summary>
    public FloClient(IGrainFactory grains, FloClientOptions? options = null)
        : this(grains, options ?? FloClientOptions.Default, ownedHost: null)
    {
    }

    private FloClient(IGrainFactory grains, FloClientOptions options, IHost? ownedHost)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.ownedHost = ownedHost;
        Options = options;
        Grains = grains;
        Kv = new Flo.Kv.KvClient(grains, options.Namespace);
        Queue = new Flo.Queues.QueueClient(grains, options.Namespace);
        Stream = new Flo.Streams.StreamClient(grains, options.Namespace);
        Action = new Flo.Actions.ActionClient(grains, options.Namespace);
        Schedule = new Flo.Schedules.ScheduleClient(grains, options.Namespace);
        Management = new Flo.Management.ManagementClient(grains, Action, Schedule, options.Namespace);
        Flow = new Flo.Dataflow.FlowClient(grains, Action, options.Namespace);
    }

    /// <summary>The KV store.</summary>
    public Flo.Kv.KvClient Kv { get; }

    /// <summary>Queues with priority, delay, leases, dead letters and long polls.</summary>
    public Flo.Queues.QueueClient Queue { get; }

    /// <summary>Streams: append-only logs with time-based ids, reads from a position or the tail, subscriptions.</summary>
    public Flo.Streams.StreamClient Stream { get; }

    /// <summary>Actions: register, invoke, run status, wait, cancel, listings, events.</summary>
    public Flo.Actions.ActionClient Action { get; }

    /// <summary>Schedules: cron, interval and once, each due time invoking an action exactly once.</summary>
    public Flo.Schedules.ScheduleClient Schedule { get; }

    /// <summary>Dataflow: start built flows as runs of grains, wait for them, watch and inspect their nodes, cancel them.</summary>
    public Flo.Dataflow.FlowClient Flow { get; }

    /// <summary>Management: overviews, throughput, queue and stream depths, cluster silos, health, and run/schedule listings.</summary>
    public Flo.Management.ManagementClient Management { get; }

    /// <summary>
    /// A worker that runs actions in this process (seed: <c>client.new_action_worker(concurrency=5)</c>): add handlers
    /// with <see cref="Flo.Actions.ActionWorker.Action(string, Func{Flo.Actions.ActionContext, Task{byte[]}}, Flo.Actions.ActionHandlerOptions?)"/>,
    /// then start it.
    /// </summary>
    public Flo.Actions.ActionWorker NewActionWorker(Flo.Actions.ActionWorkerOptions? options = null, Microsoft.Extensions.Logging.ILogger? logger = null)
        => new(Action, options ?? new Flo.Actions.ActionWorkerOptions(), logger);

    /// <summary>The task executor's API over actions (typed tasks, submit, wait for results); see <see cref="Flo.Tasks.FloTaskApp"/>.</summary>
    public Flo.Tasks.FloTaskApp NewTaskApp(Flo.Tasks.TaskAppOptions? options = null, Microsoft.Extensions.Logging.ILogger? logger = null)
        => new(this, options ?? new Flo.Tasks.TaskAppOptions(), logger);

    /// <summary>The options in use.</summary>
    public FloClientOptions Options { get; }

    /// <summary>Grain access for advanced use (the same connection: a service's own grains too).</summary>
    public IGrainFactory Grains { get; }

    /// <summary>
    /// Connects to one gateway (<c>"localhost:9000"</c>) or a comma-separated list of them, for scripts and tools. The
    /// client learns the cluster's other gateways from the ones given. Dispose the client to disconnect.
    /// </summary>
    /// <exception cref="FloConnectException">No gateway completed the handshake within <see cref="FloClientOptions.ConnectTimeout"/>.</exception>
    public static async Task<FloClient> ConnectAsync(string gateways = "localhost:9000", FloClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= FloClientOptions.Default;
        options.Validate();
        var endpoints = ParseGateways(gateways);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var probe = new Calls.ConnectProbe();
        builder.Logging.AddProvider(probe);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoints);
            if (options.LearnGateways)
            {
                // The named gateways are seeds: the client learns the cluster's other gateways from its membership.
                client.Services.AddSingleton<Orleans.Messaging.IGatewayListProvider, Hosting.LearningGatewayListProvider>();
            }
            FloClientDefaults.Apply(client, options);
        });
        var host = builder.Build();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        try
        {
            await host.StartAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or Orleans.Runtime.Messaging.ConnectionFailedException)
        {
            var refused = host.Services.GetService<Security.TlsRefusals>()?.Last;
            host.Dispose();
            throw new FloConnectException(Calls.ConnectFailure.Describe(gateways, options, probe.LastFailure ?? e, refused), probe.LastFailure ?? e);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new FloClient(host.Services.GetRequiredService<IClusterClient>(), options, host);
    }

    /// <summary>Parses <c>host:port[,host:port...]</c>; host names are resolved now.</summary>
    internal static IPEndPoint[] ParseGateways(string gateways)
    {
        var list = gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0)
        {
            throw new ArgumentException("Name at least one gateway (host:port).", nameof(gateways));
        }
        return Hosting.GatewayAddress.ResolveAll(list, nameof(gateways));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (ownedHost is { } host)
        {
            try
            {
                await host.StopAsync().ConfigureAwait(false);
            }
            finally
            {
                host.Dispose();
            }
        }
    }
}
