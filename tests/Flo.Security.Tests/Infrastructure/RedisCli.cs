using System.Diagnostics;

namespace Flo.Security.Tests;

/// <summary>
/// Debian's <c>redis-cli</c> (redis-tools, which test.sh installs; built with TLS), run as the documentation tells
/// people to: with the token as its password, over <c>--tls --cacert</c>.
/// </summary>
internal static class RedisCli
{
    public const string Path = "/usr/bin/redis-cli";

    /// <summary>Runs <c>redis-cli -h 127.0.0.1 -p port args...</c>; returns what it printed (stdout, then stderr), trimmed.</summary>
    public static async Task<string> RunAsync(int port, params string[] args)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"{Path} is missing: install Debian's redis-tools (./test.sh does).");
        }
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-auth-warning", .. args])
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Only a redis-cli that hangs for a minute fails here; each run is one command.
        using var stuck = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(stuck.Token);
        return ((await output).Trim() + "\n" + (await errors).Trim()).Trim();
    }
}
