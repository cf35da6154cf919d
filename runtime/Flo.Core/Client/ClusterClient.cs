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
/// name the grain, method and silo, and W3C trace context on every request.
/// </summary>
/// <remarks>
/// Gateways: starts from the configured seeds, adds those the cluster advertises (at connect and every
/// <see cref="ClusterClientOptions.GatewayListRefreshPeriod"/>), drops advertised ones the cluster no longer lists,
/// and moves new calls to another gateway when its own is lost or says it no longer serves (silo shutting down).
/// Retries: see <see cref="ClusterClientOptions.MaxRetries"/>; a call that is not resent fails with a
/// <see cref="SiloUnavailableException"/> whose <see cref="SiloUnavailableException.MayHaveExecuted"/> says whether
/// it may have run.
/// </remarks>
public sealed partial class ClusterClient : RuntimeClientBase, IClusterClient
{
    private readonly ClusterClientOptions options;
    private readonly ILogger logger;
    private readonly SemaphoreSlim connectLock = new(1, 1);
    private readonly Lock sync = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly List<GatewayConnection> retired = [];
    private readonly Action<GatewayConnection, Message> onHello;
    private volatile GatewayConnection? connection;
    private volatile List<string> gateways;
    private int nextGateway;
    private Task refreshLoop = Task.CompletedTask;
    private volatile bool disposed;

    private ClusterClient(ClusterClientOptions options, ILogger logger)
        : base(FloDiagnostics.ClientSource, options.ResponseTimeout, FloDiagnostics.ClientCalls, FloDiagnostics.ClientCallDuration)
    {
        this.options = options;
        this.logger = logger;
        gateways = [.. options.Gateways];
        onHello = OnHello;
        MaxRetries = options.MaxRetries;
        RetryBackoff = options.RetryBackoff;
        MaxRetryBackoff = options.MaxRetryBackoff;
    }

    /// <summary>Gateways this client knows: the configured ones and those the cluster currently advertises.</summary>
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
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options.MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryBackoff, TimeSpan.Zero, nameof(options.RetryBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRetryBackoff, options.RetryBackoff, nameof(options.MaxRetryBackoff));
        var client = new ClusterClient(options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<ClusterClient>());
        try
        {
            await client.EnsureConnectedAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var period = options.GatewayListRefreshPeriod;
        if (period > TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            client.refreshLoop = client.RefreshGatewaysAsync(period, client.stopping.Token);
        }
        return client;
    }

    /// <inheritdoc/>
    public string? ConnectedSilo => connection is { IsOpen: true } c ? c.SiloName : null;

    /// <inheritdoc/>
    protected override bool CanRetry => !disposed && base.CanRetry;

    /// <inheritdoc/>
    protected override ValueTask SendAsync(Message message, PendingCall? call) => SendCoreAsync(message, call, CancellationToken.None);

    /// <inheritdoc/>
    protected override ValueTask SendAsync(Message message, PendingCall call, CancellationToken cancellationToken) => SendCoreAsync(message, call, cancellationToken);

    private async ValueTask SendCoreAsync(Message message, PendingCall? call, CancellationToken cancellationToken)
    {
        var c = connection;
        if (c is null || !c.IsOpen)
        {
            c = await EnsureConnectedAsync(call, cancellationToken).ConfigureAwait(false);
        }
        if (call is not null)
        {
            call.Route = c;
            call.Destination = c.Destination;
        }
        if (!c.TrySend(message))
        {
            throw new SiloUnavailableException($"Connection to gateway {c.SiloName} ({c.Endpoint}) closed before the request was sent.", mayHaveExecuted: false);
        }
    }

    /// <inheritdoc/>
    protected override void OnRetrying(PendingCall failedCall, Message? unavailableResponse)
    {
        // The gateway itself said it does not serve (starting or stopping): send the retry through another one.
        if (unavailableResponse is not null && failedCall.Route is GatewayConnection c && unavailableResponse.SiloName == c.SiloName)
        {
            Retire(c, "it answered that it is not serving");
        }
    }

    private async Task<GatewayConnection> EnsureConnectedAsync(PendingCall? call, CancellationToken cancellationToken)
    {
        // Connecting must not outlast the call that waits for it.
        using var budget = call is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget?.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, call!.Deadline - Environment.TickCount64)));
        var token = budget?.Token ?? cancellationToken;
        try
        {
            await connectLock.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SiloUnavailableException("No gateway connection was ready within the call's timeout.", mayHaveExecuted: false);
        }
        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var previous = connection;
            if (previous is { IsOpen: true })
            {
                return previous;
            }
            var errors = new List<string>();
            var candidates = OrderCandidates(previous);
            foreach (var endpoint in candidates)
            {
                try
                {
                    var c = await GatewayConnection.ConnectAsync(endpoint, Callbacks, options, logger, onHello, token).ConfigureAwait(false);
                    lock (sync)
                    {
                        if (disposed)
                        {
                            c.Close();
                            ObjectDisposedException.ThrowIf(true, this);
                        }
                        connection = c;
                        var list = gateways;
                        var index = list.FindIndex(g => string.Equals(g, endpoint, StringComparison.OrdinalIgnoreCase));
                        nextGateway = Math.Max(0, index);
                    }
                    // Learn the cluster's other gateways, so losing this one is not losing the cluster.
                    UpdateGateways(c.AdvertisedGateways);
                    if (previous is not null)
                    {
                        LogFailedOver(logger, previous.Endpoint, c.SiloName, c.Endpoint);
                    }
                    return c;
                }
                catch (SiloUnavailableException e)
                {
                    errors.Add(e.Message);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    errors.Add($"No time left to try {endpoint} within the call's timeout.");
                    break;
                }
            }
            lock (sync)
            {
                nextGateway = (nextGateway + 1) % Math.Max(1, gateways.Count);
            }
            throw new SiloUnavailableException("No gateway could be reached: " + string.Join(" ", errors), mayHaveExecuted: false);
        }
        finally
        {
            connectLock.Release();
        }
    }

    /// <summary>Known gateways starting at the current position; the one just lost or retired goes last.</summary>
    private List<string> OrderCandidates(GatewayConnection? previous)
    {
        List<string> list;
        int start;
        lock (sync)
        {
            list = gateways;
            start = list.Count == 0 ? 0 : nextGateway % list.Count;
        }
        var ordered = new List<string>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            ordered.Add(list[(start + i) % list.Count]);
        }
        if (previous is not null)
        {
            var index = ordered.FindIndex(g => string.Equals(g, previous.Endpoint, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                ordered.RemoveAt(index);
                ordered.Add(previous.Endpoint);
            }
        }
        return ordered;
    }

    /// <summary>Seeds plus what the cluster advertises now; gateways it no longer lists are forgotten.</summary>
    private void UpdateGateways(IReadOnlyList<string>? advertised)
    {
        if (advertised is null)
        {
            // The silo could not read the membership table: keep what we know rather than forget the cluster.
            return;
        }
        var seeds = options.Gateways;
        var list = new List<string>(seeds.Count + advertised.Count);
        list.AddRange(seeds);
        foreach (var g in advertised)
        {
            if (!list.Contains(g, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(g);
            }
        }
        lock (sync)
        {
            var old = gateways;
            if (old.Count == list.Count && old.SequenceEqual(list, StringComparer.OrdinalIgnoreCase))
            {
                return;
            }
            gateways = list;
        }
        LogGatewaysChanged(logger, string.Join(", ", list));
    }

    /// <summary>Stops sending new calls through <paramref name="c"/>; its pending calls may still complete.</summary>
    private void Retire(GatewayConnection c, string reason)
    {
        lock (sync)
        {
            if (disposed || connection != c)
            {
                return;
            }
            connection = null;
            retired.Add(c);
            // Reconnect elsewhere first; this gateway is tried again only after all the others.
            var index = gateways.FindIndex(g => string.Equals(g, c.Endpoint, StringComparison.OrdinalIgnoreCase));
            nextGateway = index + 1;
        }
        LogRetired(logger, c.SiloName, c.Endpoint, reason);
        _ = CloseWhenDrainedAsync(c);
    }

    private async Task CloseWhenDrainedAsync(GatewayConnection c)
    {
        // Every call on it ends within the response timeout (answered, timed out or failed): then it can go.
        try
        {
            await Task.WhenAny(c.Closed, Task.Delay(options.ResponseTimeout, stopping.Token)).ConfigureAwait(false);
            await c.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            lock (sync)
            {
                retired.Remove(c);
            }
        }
    }

    private void OnHello(GatewayConnection c, Message hello)
    {
        UpdateGateways(GatewayConnection.ParseGateways(hello.Gateways));
        if (hello.Status == ResponseStatus.Unavailable)
        {
            Retire(c, "its silo is no longer active");
        }
    }

    private async Task RefreshGatewaysAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // The answer arrives as a hello on the connection's read loop (OnHello); no reply means an older
                // silo that ignores the request, and the list learned at connect stays.
                connection?.RequestGatewayList();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        GatewayConnection[] toClose;
        lock (sync)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            toClose = connection is { } c ? [c, .. retired] : [.. retired];
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        await refreshLoop.ConfigureAwait(false);
        foreach (var c in toClose)
        {
            await c.DisposeAsync().ConfigureAwait(false);
        }
        Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gateway {Previous} lost; now connected to {Silo} ({Endpoint})")]
    private static partial void LogFailedOver(ILogger logger, string previous, string silo, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moving new calls away from gateway {Silo} ({Endpoint}): {Reason}")]
    private static partial void LogRetired(ILogger logger, string silo, string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Known gateways: {Gateways}")]
    private static partial void LogGatewaysChanged(ILogger logger, string gateways);
}
