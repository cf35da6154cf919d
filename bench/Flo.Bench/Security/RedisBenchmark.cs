using System.Diagnostics;
using System.Globalization;

namespace Flo.Bench.Security;

/// <summary>
/// Runs Debian's <c>redis-benchmark</c> (7.x, built with TLS) against a silo's RESP port: SET and GET over a spread of
/// keys (<c>-r</c>), with the token as its password (<c>-a</c>, sent as <c>AUTH</c>) and <c>--tls --cacert</c> as asked;
/// returns requests per second per test from its CSV output.
/// </summary>
public static class RedisBenchmark
{
    /// <summary>Whether <c>redis-benchmark</c> is on the PATH.</summary>
    public static bool Available()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("redis-benchmark", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            probe!.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>SET and GET requests per second (keys <c>key:0..9999</c>).</summary>
    public static async Task<(double Set, double Get)> RunAsync(int port, int clients, int pipeline, int requests, string? token, string? caPath)
    {
        var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-t", "set,get", "-n", requests.ToString(CultureInfo.InvariantCulture),
            "-c", clients.ToString(CultureInfo.InvariantCulture), "-P", pipeline.ToString(CultureInfo.InvariantCulture), "-r", "10000", "--csv" };
        if (token is not null)
        {
            args.AddRange(["-a", token]);
        }
        if (caPath is not null)
        {
            args.AddRange(["--tls", "--cacert", caPath]);
        }
        var start = new ProcessStartInfo("redis-benchmark") { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        double Rate(string test)
        {
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith($"\"{test}\"", StringComparison.Ordinal))
                       ?? throw new InvalidOperationException($"redis-benchmark printed no {test} line (exit {process.ExitCode}): {output} {errors}");
            return double.Parse(line.Split(',')[1].Trim('"'), CultureInfo.InvariantCulture);
        }
        return (Rate("SET"), Rate("GET"));
    }
}
