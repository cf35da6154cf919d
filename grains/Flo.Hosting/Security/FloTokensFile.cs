using Microsoft.Extensions.Configuration;

namespace Flo.Hosting.Security;

/// <summary>
/// Reads <see cref="FloSecurityOptions.TokensFile"/>: JSON of the same shape as the <c>Cluster:Security</c> section,
/// <c>{"Tokens": [...]}</c>, bound with the same binder (names case-insensitive, Access by name).
/// </summary>
internal static class FloTokensFile
{
    public static IReadOnlyList<FloTokenOptions> Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"No such file: {full}.", full);
        }
        var section = new ConfigurationBuilder().AddJsonFile(full, optional: false, reloadOnChange: false).Build();
        var options = new FloSecurityOptions();
        section.Bind(options);
        return options.Tokens;
    }
}
