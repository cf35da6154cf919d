using Flo.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flo.Hosting.Security;

/// <summary>
/// Composes the access tokens of a silo: <see cref="FloSecurityOptions"/> bound from <c>Cluster:Security</c> (plus
/// <c>Cluster:HttpToken</c> as one read-write token on <c>*</c>), validated at start, and the one
/// <see cref="FloAccessControl"/> the gateway's call filter, HTTP and RESP share.
/// </summary>
public static partial class FloSecurity
{
    /// <summary>The grant name <c>Cluster:HttpToken</c> gets.</summary>
    public const string HttpTokenName = "Cluster:HttpToken";

    /// <summary>
    /// Whether the configuration names any token (<c>Cluster:Security:Tokens</c>, <c>Cluster:Security:TokensFile</c> or
    /// <c>Cluster:HttpToken</c>): decides, when the silo is composed, whether the checks are added at all (an open
    /// cluster pays nothing for them).
    /// </summary>
    public static bool IsConfigured(IConfiguration configuration)
        => configuration.GetSection(FloSecurityOptions.Section + ":Tokens").GetChildren().Any()
           || !string.IsNullOrWhiteSpace(configuration[FloSecurityOptions.Section + ":TokensFile"])
           || !string.IsNullOrWhiteSpace(configuration[FloSiloOptions.Section + ":HttpToken"]);

    /// <summary>
    /// Registers <see cref="FloSecurityOptions"/> (validated when the host starts), the <see cref="FloAccessControl"/>
    /// built from them and a log line at start saying whether tokens are required. Idempotent: the silo and its web side
    /// both call it.
    /// </summary>
    public static IServiceCollection AddFloSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ImplementationType == typeof(FloSecurityOptionsValidator)))
        {
            return services;
        }
        services.AddOptions<FloSecurityOptions>()
            .Bind(configuration.GetSection(FloSecurityOptions.Section))
            .Configure(o =>
            {
                if (configuration[FloSiloOptions.Section + ":HttpToken"] is { Length: > 0 } httpToken)
                {
                    o.Tokens.Add(new FloTokenOptions { Name = HttpTokenName, Token = httpToken, Namespaces = [FloTokenGrant.All], Access = FloAccess.ReadWrite });
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FloSecurityOptions>, FloSecurityOptionsValidator>();
        services.TryAddSingleton(sp => Build(sp.GetRequiredService<IOptions<FloSecurityOptions>>().Value));
        services.AddHostedService(sp => new StartupLog(
            sp.GetRequiredService<FloAccessControl>(),
            FloSiloConfiguration.Read(configuration).Endpoints.ListenAddress,
            sp.GetRequiredService<ILogger<FloAccessControl>>()));
        return services;
    }

    /// <summary>The token table of validated options: each entry's hash (the token's, or the one given) with its grant.</summary>
    internal static FloAccessControl Build(FloSecurityOptions options)
    {
        var entries = options.Tokens.Select((t, i) => (t, i)).ToList();
        if (!string.IsNullOrWhiteSpace(options.TokensFile))
        {
            entries.AddRange(FloTokensFile.Read(options.TokensFile).Select((t, i) => (t, entries.Count + i)));
        }
        return new FloAccessControl(entries.Select(e => (
            FloSecurityOptionsValidator.HashOf(e.t),
            new FloTokenGrant(e.t.Name is { Length: > 0 } name ? name : $"token-{e.i}", e.t.Namespaces, e.t.Access == FloAccess.ReadWrite))));
    }

    /// <summary>Says once, at start, whether this silo requires tokens: an open silo listening beyond loopback is worth a warning.</summary>
    private sealed partial class StartupLog(FloAccessControl access, string listenAddress, ILogger logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (access.Enabled)
            {
                LogRequired(logger);
            }
            else if (!System.Net.IPAddress.TryParse(listenAddress, out var address) || !System.Net.IPAddress.IsLoopback(address))
            {
                LogOpen(logger, listenAddress);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Access tokens are required on the gateway, HTTP and RESP (Cluster:Security).")]
        private static partial void LogRequired(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "No access tokens are configured (Cluster:Security:Tokens): the gateway, HTTP and RESP on {ListenAddress} are open to whoever reaches them.")]
        private static partial void LogOpen(ILogger logger, string listenAddress);
    }
}
