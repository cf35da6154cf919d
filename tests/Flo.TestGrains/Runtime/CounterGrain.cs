namespace Flo.TestGrains.Runtime;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }

    [Id(1)] public List<int> History { get; set; } = [];
}

/// <summary>A persistent counter: the basic grain used by lifecycle, storage and cluster tests.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int delta);

    [ReadOnly]
    Task<int> Get();

    /// <summary>Unique id of the current activation: changes when the grain is reactivated.</summary>
    [ReadOnly]
    Task<Guid> GetActivationId();

    Task<string> GetSilo();

    Task Deactivate();

    Task<string?> GetEtag();
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    private readonly Guid activationId = Guid.NewGuid();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        LifecycleLog.Record(GrainId.ToString(), "activate");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        LifecycleLog.Record(GrainId.ToString(), "deactivate:" + reason.Code);
        return Task.CompletedTask;
    }

    public async Task<int> Add(int delta)
    {
        state.State.Value += delta;
        state.State.History.Add(delta);
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public Task<Guid> GetActivationId() => Task.FromResult(activationId);

    public Task<string> GetSilo() => Task.FromResult(GrainContext.SiloName);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<string?> GetEtag() => Task.FromResult(state.Etag);
}
