using System.Collections.Concurrent;
using Flo.Messaging;
using Flo.Runtime.Hosting;
using Flo.Runtime.Membership;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Messaging;

/// <summary>
/// One outbound connection per other silo incarnation, opened on first use and shared by every request, probe and
/// gossip message to that silo. A failed or closed connection is dropped and reopened on the next send; connections
/// to silos that left the membership view are closed.
/// </summary>
internal sealed partial class SiloConnectionManager : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiloAddress, Lazy<Task<SiloConnection>>> connections = new();
    private readonly CallbackRegistry callbacks;
    private readonly MessagingOptions options;
    private readonly ILogger logger;
    private volatile bool disposed;

    private readonly SiloDetails silo;

    public SiloConnectionManager(SiloDetails silo, CallbackRegistry callbacks, MessagingOptions options, IClusterMembership membership, ILogger<SiloConnectionManager> logger)
    {
        this.silo = silo;
        this.callbacks = callbacks;
        this.options = options;
        this.logger = logger;
        membership.ViewChanged += OnViewChanged;
    }

    /// <summary>The open (or opening) connection to a silo.</summary>
    public async ValueTask<SiloConnection> GetAsync(SiloAddress target, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        while (true)
        {
            var lazy = connections.GetOrAdd(target, t => new Lazy<Task<SiloConnection>>(() => ConnectAsync(t)));
            SiloConnection connection;
            try
            {
                connection = await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SiloUnavailableException)
            {
                // The next caller tries again rather than inheriting this failure forever.
                connections.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<SiloConnection>>>(target, lazy));
                throw;
            }
            if (connection.IsOpen)
            {
                return connection;
            }
            connections.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<SiloConnection>>>(target, lazy));
        }
    }

    private Task<SiloConnection> ConnectAsync(SiloAddress target)
    {
        var self = silo.Address ?? throw new SiloUnavailableException("This silo has not joined the cluster yet.");
        return SiloConnection.ConnectAsync(self, target, callbacks, options.MaxMessageSize, options.ConnectTimeout, logger, CancellationToken.None);
    }

    /// <summary>Sends a message to a silo, or fails with <see cref="SiloUnavailableException"/> (nothing was sent).</summary>
    public async ValueTask SendAsync(SiloAddress target, Message message, PendingCall? call, CancellationToken cancellationToken)
    {
        var connection = await GetAsync(target, cancellationToken).ConfigureAwait(false);
        if (call is not null)
        {
            call.Route = connection;
            call.Destination = $"silo {target}";
        }
        if (!connection.TrySend(message))
        {
            throw new SiloUnavailableException($"Connection to silo {target} is closed.");
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        foreach (var (silo, lazy) in connections)
        {
            if (view.Find(silo) is { Status: SiloStatus.Dead } or null)
            {
                if (connections.TryRemove(new KeyValuePair<SiloAddress, Lazy<Task<SiloConnection>>>(silo, lazy)) && lazy.IsValueCreated)
                {
                    // Nothing new goes there; calls already sent (a silo that left gracefully may still be relaying
                    // them) keep the connection until they had time to answer. A dead process closes it sooner.
                    LogClosingDead(logger, silo.ToString());
                    _ = CloseLaterAsync(lazy.Value);
                }
            }
        }
    }

    private async Task CloseLaterAsync(Task<SiloConnection> connecting)
    {
        await Task.Delay(options.ResponseTimeout).ConfigureAwait(false);
        await CloseAsync(connecting).ConfigureAwait(false);
    }

    private static async Task CloseAsync(Task<SiloConnection> connecting)
    {
        try
        {
            (await connecting.ConfigureAwait(false)).Close();
        }
        catch
        {
            // It never opened.
        }
    }

    public async ValueTask DisposeAsync()
    {
        disposed = true;
        foreach (var lazy in connections.Values)
        {
            if (lazy.IsValueCreated)
            {
                await CloseAsync(lazy.Value).ConfigureAwait(false);
            }
        }
        connections.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closing the connection to {Silo}: it left the cluster")]
    private static partial void LogClosingDead(ILogger logger, string silo);
}
