using Hangfire.States;

namespace Flo.Bench.Jobs;

/// <summary>
/// Hangfire's state changer with one addition: after a job's Succeeded (or Failed) state has been committed to storage,
/// it hands the job's result to <see cref="HangfireResults"/>.
/// </summary>
/// <remarks>
/// Why here and not in the job or a job filter: the job body and the filters (<c>IServerFilter</c>,
/// <c>IApplyStateFilter</c>) all run before Hangfire writes the result, and a caller that got its result from there
/// would be told before Hangfire itself could tell it, which would flatter Hangfire's submit->result latency. The
/// worker calls <see cref="IBackgroundJobStateChanger.ChangeState"/> without a transaction of its own, so the inner
/// changer commits before it returns: what we signal is the durable result (Celery's caller likewise gets the result
/// after the worker has stored it in the backend).
/// </remarks>
public sealed class ResultSignallingStateChanger(IBackgroundJobStateChanger inner, HangfireResults results) : IBackgroundJobStateChanger
{
    public IState ChangeState(StateChangeContext context)
    {
        var applied = inner.ChangeState(context);
        switch (applied)
        {
            case SucceededState succeeded:
                results.Succeeded(context.BackgroundJobId, Convert.ToInt64(succeeded.Result));
                break;
            case FailedState failed:
                results.Failed(context.BackgroundJobId, failed.Exception);
                break;
        }
        return applied;
    }
}
