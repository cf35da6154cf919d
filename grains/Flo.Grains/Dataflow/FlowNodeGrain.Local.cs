using System.Text.Json;
using Flo.Dataflow;
using Microsoft.Extensions.DependencyInjection;

namespace Flo.Grains.Dataflow;

/// <summary>Running a generation in this silo, when the silo hosts the node's type (<see cref="IFlowNodeExecutor"/>).</summary>
public sealed partial class FlowNodeGrain
{
    private IFlowNodeExecutor? executor;
    private bool executorLooked;
    private CancellationTokenSource? localRun;

    /// <summary>Whether this silo runs the node's type itself; if so, its timeout and retries.</summary>
    private bool RunsHere(out TimeSpan timeout, out int maxRetries)
    {
        if (!executorLooked)
        {
            // Optional: a silo with no node types of its own registers no executor.
            executor = ServiceProvider.GetService<IFlowNodeExecutor>();
            executorLooked = true;
        }
        if (executor is not null && executor.TryGetNodeType(S.NodeType, out timeout, out maxRetries))
        {
            return true;
        }
        timeout = default;
        maxRetries = 0;
        return false;
    }

    /// <summary>
    /// Runs the generation's code in this silo and reports its result as a worker would (the same first-report-wins
    /// <see cref="Report"/>, so the semantics are the worker path's: applied once, code run at least once). An attempt
    /// that times out is run again up to <paramref name="maxRetries"/> times, as is one lost with its silo (counted in
    /// <see cref="NodeRunningState.LocalAttempts"/>, stored before it starts); an exception from the code is the result.
    /// </summary>
    private async Task ExecuteHereAsync(int generation, TimeSpan timeout, int maxRetries)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        StopLocalRun();
        localRun = stop;
        try
        {
            var attempt = Math.Max(1, S.Running!.LocalAttempts);
            while (IsRunning(generation) && !stop.IsCancellationRequested)
            {
                if (attempt > maxRetries + 1)
                {
                    await FailAsync(generation, $"node type '{S.NodeType}' ran {attempt - 1} times in a silo without a result (timed out or lost with its silo)");
                    return;
                }
                var payload = Payload(generation);
                using var attemptStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                attemptStop.CancelAfter(timeout);
                NodeRunResult result;
                try
                {
                    // Off the activation's scheduler: node code (perhaps CPU-bound) must not hold the grain's turns,
                    // which serve its part readers and the run's questions meanwhile.
                    result = await Task.Run(() => executor!.RunAsync(payload, attempt, attemptStop.Token), attemptStop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Cancelled with the run, or this activation is going away: the next one runs it again.
                    return;
                }
                catch (OperationCanceledException) when (attemptStop.IsCancellationRequested)
                {
                    LogLocalTimeout(logger, ns, runId, node, generation, attempt, timeout);
                    attempt++;
                    continue;
                }
                catch (Exception e)
                {
                    result = new NodeRunResult { Error = $"{e.GetType().Name}: {e.Message}" };
                }
                await ReportHereAsync(generation, JsonSerializer.Serialize(result, FlowJson.Options), stop.Token);
                return;
            }
        }
        finally
        {
            if (ReferenceEquals(localRun, stop))
            {
                localRun = null;
            }
            stop.Dispose();
            if (executing == generation)
            {
                executing = -1;
            }
        }
    }

    /// <summary>Reports the result to this grain (a turn), trying again while storing it fails.</summary>
    private async Task ReportHereAsync(int generation, string json, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(100);
        while (IsRunning(generation) && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Self.Report(generation, null, json);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogLocalReportRetry(logger, e, ns, runId, node, generation);
                await Task.Delay(backoff, time);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
            }
        }
    }

    /// <summary>Stops the code this activation runs, if any (the generation was stopped, or the activation goes).</summary>
    private void StopLocalRun()
    {
        try
        {
            localRun?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Finished meanwhile.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: node {Node} generation {Generation} attempt {Attempt} in the silo timed out after {Timeout}")]
    private static partial void LogLocalTimeout(ILogger logger, string @namespace, string runId, string node, int generation, int attempt, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flow run {Namespace}/{RunId}: storing node {Node} generation {Generation}'s result failed; trying again")]
    private static partial void LogLocalReportRetry(ILogger logger, Exception error, string @namespace, string runId, string node, int generation);
}
