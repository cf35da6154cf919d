using Orleans;
using Orleans.Runtime;

namespace ServiceSample.Grains;

/// <summary>The stored state of a <see cref="VisitCounterGrain"/>.</summary>
[GenerateSerializer]
[Alias("sample.visit-state")]
public sealed class VisitState
{
    /// <summary>Visits so far.</summary>
    [Id(0)] public long Visits { get; set; }

    /// <summary>When the last visit was recorded (Unix ms).</summary>
    [Id(1)] public long LastVisitMs { get; set; }
}

/// <summary>
/// A visitor's counter, kept in the silo's default grain storage (the <c>visits</c> state): durable before
/// <see cref="Visit"/> returns.
/// </summary>
public sealed class VisitCounterGrain([PersistentState("visits")] IPersistentState<VisitState> state) : Grain, IVisitCounterGrain
{
    /// <inheritdoc/>
    public async Task<VisitSummary> Visit()
    {
        state.State.Visits++;
        state.State.LastVisitMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await state.WriteStateAsync();
        return Summary();
    }

    /// <inheritdoc/>
    public Task<VisitSummary> Get() => Task.FromResult(Summary());

    private VisitSummary Summary() => new()
    {
        Name = this.GetPrimaryKeyString(),
        Visits = state.State.Visits,
        LastVisitMs = state.State.LastVisitMs,
    };
}
