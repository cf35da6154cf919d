using Flo.Diagnostics;
using Flo.Messaging;
using Flo.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flo.Client;

/// <summary>A connection to the cluster from outside it: a grain factory whose calls go through a gateway.</summary>
public interface IClusterClient : IGrainFactory, IAsyncDisposable
{
    /// <summary>Name of the gateway silo currently connected, or null.</summary>
    string? ConnectedSilo { get; }
}

/// <summary>
/// The client runtime: one multiplexed connection to a gateway silo, request ids, response timeouts whose errors
/// name the grain, method and silo, and W3C trace context on every request. Reconnects on the next call after its
/// gateway is lost (trying each configured gateway in turn).
/// </summary>
public sealed class ClusterClient : RuntimeClientBase, IClusterClient
{
    private readonly ClusterClientOptions options;
    private readonly ILogger logger;
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private GatewayConnection? connection;
    private List<string> gateways;
    private int nextGateway;
    private bool disposed;

    private ClusterClient(ClusterClientOptions options, ILogger logger)
        : base(FloDiagnostics.ClientSource, options.ResponseTimeout, FloDiagnostics.ClientCalls, FloDiagnostics.ClientCallDuration)
    {
        this.options = options;
        this.logger = logger;
        gateways = [.. options.Gateways];
    }

    /// <summary>Gateways this client knows: the configured ones and those the cluster advertised.</summary>
    public IReadOnlyList<string> KnownGateways => gateways;

    /// <summary>Connects to the first reachable gateway.</summary>
    public static async Task<ClusterClient> ConnectAsync(ClusterClientOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= ClusterClientOptions.Default;
        if (options.Gateways.Count == 0)
        {
            throw new ArgumentException("At least one gateway is needed.", nameof(options));
        }
        foreach (var g in options.Gateways)
        {
            GatewayConnection.ParseEndpoint(g);
        }
        var client = new ClusterClient(options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ClusterClient>());
        try
        {
            await client.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return client;
    }

    /// <inheritdoc/>
    public string? ConnectedSilo => connection is { IsOpen: true } c ? c.SiloName : null;

    /// <inheritdoc/>
    protected override async ValueTask SendAsync(Message message, PendingCall? call)
    {
        var c = connection;
        if (c is null || !c.IsOpen)
        {
            c = await EnsureConnectedAsync(CancellationToken.None).ConfigureAwait(false);
        }
        if (call is not null)
        {
            call.Route = c;
            call.Destination = $"silo {c.SiloName} (gateway {c.Endpoint})";
        }
        if (!c.TrySend(message))
        {
            throw new SiloUnavailableException($"Connection to gateway {c.SiloName} ({c.Endpoint}) is closed.");
        }
    }

    private async Task<GatewayConnection> EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        await connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connection is { IsOpen: true } current)
            {
                return current;
            }
            var errors = new List<string>();
            var candidates = gateways;
            for (var i = 0; i < candidates.Count; i++)
            {
                var endpoint = candidates[(nextGateway + i) % candidates.Count];
                try
                {
                    var c = await GatewayConnection.ConnectAsync(endpoint, Callbacks, options, logger, cancellationToken).ConfigureAwait(false);
                    nextGateway = (nextGateway + i) % candidates.Count;
                    // Learn the cluster's other gateways, so losing this one is not losing the cluster.
                    var learned = c.AdvertisedGateways.Where(g => !candidates.Contains(g, StringComparer.OrdinalIgnoreCase)).ToList();
                    if (learned.Count > 0)
                    {
                        gateways = [.. candidates, .. learned];
                    }
                    connection = c;
                    return c;
                }
                catch (SiloUnavailableException e)
                {
                    errors.Add(e.Message);
                }
            }
            nextGateway = (nextGateway + 1) % Math.Max(1, candidates.Count);
            throw new SiloUnavailableException("No gateway could be reached: " + string.Join(" ", errors));
        }
        finally
        {
            connectLock.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        disposed = true;
        if (connection is { } c)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
        Dispose();
    }
}
