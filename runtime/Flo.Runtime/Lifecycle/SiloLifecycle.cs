using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Flo.Runtime.Lifecycle;

/// <summary>
/// Runs subscribers stage by stage: all observers of one stage concurrently, stages in order. On stop, stages run
/// in reverse and a failing observer does not stop the others. Every stage is timed and logged.
/// </summary>
internal sealed partial class SiloLifecycle(ILogger<SiloLifecycle> logger) : ISiloLifecycle
{
    private readonly List<(string Name, int Stage, Func<CancellationToken, Task> OnStart, Func<CancellationToken, Task>? OnStop)> observers = [];
    private int highestStarted = int.MinValue;
    private bool anyStarted;

    public void Subscribe(string observerName, int stage, Func<CancellationToken, Task> onStart, Func<CancellationToken, Task>? onStop = null)
        => observers.Add((observerName, stage, onStart, onStop));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var stage in observers.GroupBy(o => o.Stage).OrderBy(g => g.Key))
        {
            var sw = Stopwatch.StartNew();
            highestStarted = stage.Key;
            anyStarted = true;
            await Task.WhenAll(stage.Select(o => o.OnStart(cancellationToken))).ConfigureAwait(false);
            LogStage(logger, "Started", stage.Key, string.Join(", ", stage.Select(o => o.Name)), sw.Elapsed.TotalMilliseconds);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!anyStarted)
        {
            return;
        }
        foreach (var stage in observers.Where(o => o.Stage <= highestStarted && o.OnStop is not null).GroupBy(o => o.Stage).OrderByDescending(g => g.Key))
        {
            var sw = Stopwatch.StartNew();
            foreach (var observer in stage)
            {
                try
                {
                    await observer.OnStop!(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    LogStopFailed(logger, e, observer.Name, stage.Key);
                }
            }
            LogStage(logger, "Stopped", stage.Key, string.Join(", ", stage.Select(o => o.Name)), sw.Elapsed.TotalMilliseconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} lifecycle stage {Stage} ({Observers}) in {Milliseconds:0.0} ms")]
    private static partial void LogStage(ILogger logger, string action, int stage, string observers, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping {Observer} at stage {Stage} failed")]
    private static partial void LogStopFailed(ILogger logger, Exception error, string observer, int stage);
}
