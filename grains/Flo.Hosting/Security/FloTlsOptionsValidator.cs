using Microsoft.Extensions.Options;

namespace Flo.Hosting.Security;

/// <summary>
/// Checks <c>Cluster:Tls</c> when the silo starts (<c>ValidateOnStart</c>): with TLS on, the certificate loads, has its
/// key, is within its dates and chains to <c>CaPath</c>; the error names the setting and the file.
/// </summary>
internal sealed class FloTlsOptionsValidator : IValidateOptions<FloTlsOptions>
{
    public ValidateOptionsResult Validate(string? name, FloTlsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        if (options.HandshakeTimeout <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"{FloTlsOptions.Section}:HandshakeTimeout must be positive; got {options.HandshakeTimeout}.");
        }
        try
        {
            FloTlsMaterial.Load(options);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
