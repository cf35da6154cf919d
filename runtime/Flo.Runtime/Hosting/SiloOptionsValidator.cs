using Microsoft.Extensions.Options;

namespace Flo.Runtime.Hosting;

/// <summary>Checks options before the silo starts, so a bad value fails start-up with a clear message.</summary>
internal sealed class SiloOptionsValidator :
    IValidateOptions<EndpointOptions>, IValidateOptions<MessagingOptions>, IValidateOptions<GrainCollectionOptions>, IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, EndpointOptions o)
    {
        var errors = new List<string>();
        if (!System.Net.IPAddress.TryParse(o.ListenAddress, out _))
        {
            errors.Add($"Cluster:Endpoints:ListenAddress '{o.ListenAddress}' is not an IP address.");
        }
        foreach (var (key, port) in new[] { ("GatewayPort", o.GatewayPort), ("SiloPort", o.SiloPort), ("HttpPort", o.HttpPort) })
        {
            if (port is < 0 or > 65535)
            {
                errors.Add($"Cluster:Endpoints:{key} {port} is not a port.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public ValidateOptionsResult Validate(string? name, MessagingOptions o)
    {
        if (o.ResponseTimeout <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("Cluster:Messaging:ResponseTimeout must be positive.");
        }
        return o.MaxMessageSize < 1024 ? ValidateOptionsResult.Fail("Cluster:Messaging:MaxMessageSize must be at least 1024.") : ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, GrainCollectionOptions o)
        => o.CollectionAge <= TimeSpan.Zero || o.CollectionQuantum <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail("Cluster:GrainCollection:CollectionAge and CollectionQuantum must be positive.")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, SiloOptions o)
        => string.IsNullOrWhiteSpace(o.ClusterId) ? ValidateOptionsResult.Fail("Cluster:ClusterId must not be empty.") : ValidateOptionsResult.Success;
}
