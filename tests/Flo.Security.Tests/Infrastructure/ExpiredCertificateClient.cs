using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace Flo.Security.Tests;

/// <summary>
/// An Orleans client built directly on <c>Microsoft.Orleans.Connections.Security</c> that presents an expired certificate
/// of the cluster's own authority (FloClient refuses to): the silo must refuse the handshake.
/// </summary>
internal static class ExpiredCertificateClient
{
    // Only a client that sees no attempt end at all for this long fails the test: a refusal is an event, not a deadline.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts the client and waits for its first gateway connection attempt to fail; returns that failure. The client
    /// must not have connected.
    /// </summary>
    public static async Task<Exception> RefusedAsync(TlsCluster cluster)
    {
        var certificate = X509Certificate2.CreateFromPemFile(cluster.Certificates.ExpiredCertificatePath, cluster.Certificates.ExpiredKeyPath);
        var failures = new FailedAttempts();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(failures);
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, cluster.Silo.GatewayAddress.Endpoint.Port));
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.Cluster.Cluster.Options.ClusterId;
                o.ServiceId = cluster.Cluster.Cluster.Options.ServiceId;
            });
            client.UseTls(certificate, o => o.AllowAnyRemoteCertificate());
        });
        using var host = builder.Build();
        using var stop = new CancellationTokenSource();
        var start = host.StartAsync(stop.Token);
        var first = await Task.WhenAny(failures.First, start, Task.Delay(Patience));
        Assert.False(first == start && start.IsCompletedSuccessfully, "The client connected with an expired certificate.");
        Assert.True(first == failures.First, "No connection attempt ended in 60 s.");
        await stop.CancelAsync();
        // The start ends cancelled by us, or by Orleans giving up on the only gateway first; either way it never connected.
        var ended = await Record.ExceptionAsync(() => start);
        Assert.True(ended is OperationCanceledException or Orleans.Runtime.Messaging.ConnectionFailedException, $"The client's start ended with {ended?.ToString() ?? "success"}");
        var failure = await failures.First;
        Assert.True(Chain(failure).Any(ClosedByTheSilo), $"Not a refusal by the silo: {failure}");
        return failure;
    }

    private static bool ClosedByTheSilo(Exception e)
        => e is IOException or System.Security.Authentication.AuthenticationException or System.Net.Sockets.SocketException
           || e.Message.Contains("terminated prematurely", StringComparison.Ordinal);

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>The first failed connection attempt Orleans' connection manager logs.</summary>
    private sealed class FailedAttempts : ILoggerProvider, ILogger
    {
        private readonly TaskCompletionSource<Exception> first = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Exception> First => first.Task;

        public ILogger CreateLogger(string categoryName)
            => categoryName.EndsWith(".ConnectionManager", StringComparison.Ordinal) ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null && logLevel >= LogLevel.Warning)
            {
                first.TrySetResult(exception);
            }
        }

        public void Dispose()
        {
        }
    }
}
