using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Flo.Bench.Jobs;

/// <summary>
/// The jobs benchmark's Celery peer: runs <c>bench/celery/celery_bench.py</c>, which starts a Celery worker on the Redis
/// at the given port (broker and result backend), runs the same closed loop with caller threads and prints its figures
/// as one JSON line. Celery is Python, so the loop is measured there and only the numbers cross over.
/// </summary>
public static class CeleryPeer
{
    private const string Script = "bench/celery/celery_bench.py";

    public static async Task<JobLoadResult> RunAsync(int redisPort, int concurrency, TimeSpan duration)
    {
        var start = new ProcessStartInfo(Python())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { ScriptPath(), "--redis-port", redisPort.ToString(CultureInfo.InvariantCulture),
                     "--concurrency", concurrency.ToString(CultureInfo.InvariantCulture),
                     "--seconds", duration.TotalSeconds.ToString(CultureInfo.InvariantCulture), "--warmup", "1" })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // Worker start-up, warm-up and the run, with room to spare; a hung driver must not hang the bench.
        using var deadline = new CancellationTokenSource(duration + TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Script} did not finish; stderr:\n{Tail(await stderr)}");
        }
        var output = await stdout;
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'));
        if (process.ExitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"{Script} failed (exit {process.ExitCode}); stderr:\n{Tail(await stderr)}");
        }
        var r = JsonDocument.Parse(json).RootElement;
        return new JobLoadResult(r.GetProperty("name").GetString()!, r.GetProperty("concurrency").GetInt32(), r.GetProperty("jobs").GetInt64(),
            TimeSpan.FromSeconds(r.GetProperty("elapsed_seconds").GetDouble()),
            r.GetProperty("start_p50_ms").GetDouble(), r.GetProperty("start_p99_ms").GetDouble(),
            r.GetProperty("result_p50_ms").GetDouble(), r.GetProperty("result_p99_ms").GetDouble());
    }

    /// <summary>
    /// The interpreter that has Celery: FLO_BENCH_PYTHON if set, else Debian's /usr/bin/python3, where bench/run.sh
    /// installs python3-celery and python3-redis (a <c>python3</c> earlier on PATH, e.g. pyenv's, does not see those),
    /// else whatever <c>python3</c> is.
    /// </summary>
    private static string Python()
        => Environment.GetEnvironmentVariable("FLO_BENCH_PYTHON") is { Length: > 0 } configured ? configured
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>The script from the repository root: the working directory (bench/run.sh runs from there) or above the binary.</summary>
    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, Script)))
            {
                return Path.Combine(dir.FullName, Script);
            }
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, Script)))
            {
                return Path.Combine(dir.FullName, Script);
            }
        }
        throw new FileNotFoundException($"{Script} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
