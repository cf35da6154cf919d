using System.CommandLine;
using System.Globalization;

namespace Flo.Cli;

/// <summary>
/// Where and as whom the tool connects: gateways, namespace, token, cluster identity and connect timeout, each from
/// its option, else its environment variable, else the default that reaches a silo started on this machine
/// (<c>dotnet run --project silo</c>).
/// </summary>
/// <param name="Gateways">Comma-separated <c>host:port</c> gateways (<c>--gateway</c>, <c>FLO_GATEWAY</c>; default <c>localhost:9000</c>).</param>
/// <param name="Namespace">Namespace of every call (<c>--namespace</c>/<c>-n</c>, <c>FLO_NAMESPACE</c>; default <c>default</c>).</param>
/// <param name="Token">
/// Access token (<c>--token</c>, <c>FLO_TOKEN</c>). Carried but not yet sent: the platform does not check tokens on the
/// client connection until issue 16's security lands, and the tool will pass it on then.
/// </param>
/// <param name="Json">Print one JSON document instead of tables (<c>--json</c>).</param>
/// <param name="ClusterId">The silos' Orleans cluster id (<c>--cluster-id</c>, <c>FLO_CLUSTER_ID</c>; default <c>flo</c>).</param>
/// <param name="ServiceId">The silos' Orleans service id (<c>--service-id</c>, <c>FLO_SERVICE_ID</c>; default <c>flo</c>).</param>
/// <param name="ConnectTimeout">How long to wait for a gateway (<c>--connect-timeout-ms</c>, <c>FLO_CONNECT_TIMEOUT_MS</c>; default 5 s).</param>
public sealed record Connection(
    string Gateways,
    string Namespace,
    string? Token,
    bool Json,
    string ClusterId,
    string ServiceId,
    TimeSpan ConnectTimeout)
{
    /// <summary>The gateway of a silo started on this machine with the defaults.</summary>
    public const string DefaultGateway = "localhost:9000";

    /// <summary>The default connect timeout: long enough for a loaded silo, short enough that a script fails fast.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connects. A gateway that refuses, does not answer within <see cref="ConnectTimeout"/>, or belongs to another
    /// cluster ends the command with <see cref="ExitCodes.Unavailable"/>.
    /// </summary>
    public async Task<FloClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var options = FloClientOptions.Default with
        {
            Namespace = Namespace,
            ClusterId = ClusterId,
            ServiceId = ServiceId,
            // A command names the gateways it may use (a load balancer's address, often): the silos' own addresses,
            // which learning would add, may not be reachable from an operator's machine.
            LearnGateways = false,
        };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        // Building the client's host takes a while before the connect even starts: off this thread, so the deadline
        // and the probe below count from now.
        var connecting = Task.Run(() => FloClient.ConnectAsync(Gateways, options, deadline.Token), CancellationToken.None);
        // Its own token: stopped however the connect ends, so a connected command never probes afterwards.
        using var probing = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        try
        {
            // Orleans keeps retrying a gateway that refuses until the deadline; when the connect is not done after a
            // moment, a plain TCP probe tells a refused or unresolvable gateway apart, so that fails at once.
            var refused = RefusedAsync(probing.Token);
            if (await Task.WhenAny(connecting, refused).ConfigureAwait(false) == refused && await refused.ConfigureAwait(false) is { } problem)
            {
                throw CliException.Unavailable($"cannot connect: {problem}");
            }
            // WaitAsync too: Orleans' start does not always watch the token while it retries.
            return await connecting.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw CliException.Unavailable(
                $"no gateway of {Gateways} let the client join within {ConnectTimeout.TotalMilliseconds:0} ms (is --cluster-id right? FLO_CONNECT_TIMEOUT_MS waits longer)");
        }
        catch (Exception e) when (e is not OperationCanceledException and not InvalidArgumentException and not CliException)
        {
            throw CliException.Unavailable($"cannot connect to {Gateways}: {Innermost(e).Message}");
        }
        finally
        {
            probing.Cancel();
            if (!connecting.IsCompletedSuccessfully)
            {
                deadline.Cancel();
                _ = DisposeWhenConnectedAsync(connecting);
            }
        }
    }

    /// <summary>How long a connect may take before the gateways are probed: a healthy gateway answers well within it.</summary>
    private static readonly TimeSpan ProbeAfter = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After <see cref="ProbeAfter"/>, a TCP connect to every gateway: why none can be reached (refused, unknown host)
    /// when that is so, else null (one accepts, or a probe did not finish: Orleans' own connect decides). Only a slow
    /// connect probes, so a healthy cluster never sees these bare connections.
    /// </summary>
    private async Task<string?> RefusedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(ProbeAfter, cancellationToken).ConfigureAwait(false);
            var problems = await Task.WhenAll(Gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(g => ProbeAsync(g, cancellationToken))).ConfigureAwait(false);
            return problems.All(p => p is not null) ? string.Join("; ", problems) : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<string?> ProbeAsync(string gateway, CancellationToken cancellationToken)
    {
        var colon = gateway.LastIndexOf(':');
        var host = gateway[..colon].Trim('[', ']');
        var port = int.Parse(gateway.AsSpan(colon + 1), CultureInfo.InvariantCulture);
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            using var socket = new System.Net.Sockets.TcpClient();
            await socket.ConnectAsync(host, port, probe.Token).ConfigureAwait(false);
            return null;
        }
        catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode is System.Net.Sockets.SocketError.ConnectionRefused
            or System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData or System.Net.Sockets.SocketError.HostUnreachable
            or System.Net.Sockets.SocketError.NetworkUnreachable)
        {
            return $"{gateway}: {e.Message}";
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // Timed out or failed otherwise: not conclusive, the connect deadline decides.
            return null;
        }
    }

    private static async Task DisposeWhenConnectedAsync(Task<FloClient> connecting)
    {
        try
        {
            await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connect failed after all: nothing to dispose.
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner })
        {
            e = inner;
        }
        return e;
    }
}

/// <summary>The global options that make a <see cref="Connection"/>, on the root command and every subcommand.</summary>
public sealed class ConnectionOptions
{
    /// <summary><c>--gateway</c>/<c>-g</c>.</summary>
    public Option<string?> Gateway { get; } = new("--gateway", "-g")
    {
        Description = $"Gateway host:port, or several comma-separated [env FLO_GATEWAY; default {Connection.DefaultGateway}]",
        Recursive = true,
    };

    /// <summary><c>--namespace</c>/<c>-n</c>.</summary>
    public Option<string?> Namespace { get; } = new("--namespace", "-n")
    {
        Description = "Namespace [env FLO_NAMESPACE; default default]",
        Recursive = true,
    };

    /// <summary><c>--token</c>.</summary>
    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Access token [env FLO_TOKEN]; accepted and carried, not yet enforced by the platform",
        Recursive = true,
    };

    /// <summary><c>--json</c>.</summary>
    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document (snake_case) on stdout instead of tables",
        Recursive = true,
    };

    /// <summary><c>--cluster-id</c>.</summary>
    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = "The silos' cluster id [env FLO_CLUSTER_ID; default flo]",
        Recursive = true,
    };

    /// <summary><c>--service-id</c>.</summary>
    public Option<string?> ServiceId { get; } = new("--service-id")
    {
        Description = "The silos' service id [env FLO_SERVICE_ID; default flo]",
        Recursive = true,
    };

    /// <summary><c>--connect-timeout-ms</c>.</summary>
    public Option<int?> ConnectTimeoutMs { get; } = new("--connect-timeout-ms")
    {
        Description = "Give up connecting after this long [env FLO_CONNECT_TIMEOUT_MS; default 5000]",
        Recursive = true,
    };

    /// <summary>Every global option.</summary>
    public IEnumerable<Option> All => [Gateway, Namespace, Token, Json, ClusterId, ServiceId, ConnectTimeoutMs];

    /// <summary>
    /// The connection a parsed command line asks for: each option, else its environment variable, else the default.
    /// A malformed gateway list or timeout is a usage error (<see cref="ExitCodes.Usage"/>), wherever it came from.
    /// </summary>
    public Connection Read(ParseResult result, CliEnvironment environment)
    {
        string Pick(Option<string?> option, string variable, string fallback)
            => NonEmpty(result.GetValue(option)) ?? NonEmpty(environment.GetVariable(variable)) ?? fallback;

        var gateways = Pick(Gateway, "FLO_GATEWAY", Connection.DefaultGateway);
        CheckGateways(gateways);
        var timeoutMs = result.GetValue(ConnectTimeoutMs);
        if (timeoutMs is null && NonEmpty(environment.GetVariable("FLO_CONNECT_TIMEOUT_MS")) is { } text)
        {
            timeoutMs = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw CliException.Usage($"FLO_CONNECT_TIMEOUT_MS is not a number of milliseconds: '{text}'");
        }
        if (timeoutMs is <= 0)
        {
            throw CliException.Usage($"the connect timeout must be positive; got {timeoutMs} ms");
        }
        return new Connection(
            gateways,
            Pick(Namespace, "FLO_NAMESPACE", "default"),
            NonEmpty(result.GetValue(Token)) ?? NonEmpty(environment.GetVariable("FLO_TOKEN")),
            result.GetValue(Json),
            Pick(ClusterId, "FLO_CLUSTER_ID", "flo"),
            Pick(ServiceId, "FLO_SERVICE_ID", "flo"),
            timeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : Connection.DefaultConnectTimeout);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>host:port[,host:port...], checked here so a typo is a usage error rather than "cannot connect".</summary>
    private static void CheckGateways(string gateways)
    {
        var list = gateways.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0)
        {
            throw CliException.Usage("name at least one gateway (host:port)");
        }
        foreach (var gateway in list)
        {
            var colon = gateway.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw CliException.Usage($"gateway '{gateway}' is not host:port");
            }
        }
    }
}
