using Microsoft.Extensions.Logging;

namespace Flo.TestGrains.Generator;

// Grain interfaces and classes that exercise the code generator's shapes. Only the generator tests use them; the
// runtime test grains live in ../Runtime.

[GenerateSerializer]
public sealed record GenItem([property: Id(0)] string Name, [property: Id(1)] int Quantity);

[GenerateSerializer]
public sealed class GenState
{
    [Id(0)] public int Total { get; set; }
}

/// <summary>One method per return shape, flag and argument kind the generator handles.</summary>
[Alias("flo.tests.gen-calculator")]
public interface IGenCalculatorGrain : IGrainWithStringKey
{
    Task<int> Add(int a, int b);

    [ReadOnly]
    Task<int> Current();

    [AlwaysInterleave]
    ValueTask<string> Describe(string prefix, CancellationToken cancellationToken);

    [OneWay]
    Task Note(string text);

    [OneWay]
    ValueTask NoteValue(string text);

    [Idempotent]
    Task Reset();

    ValueTask Touch();

    Task<List<GenItem>> Items(List<GenItem> items, Dictionary<string, int>? extra);

    [Alias("gen-sum-v2")]
    Task<long> Sum(int[] values);

    /// <summary>A parameter named like the proxy's local variable.</summary>
    Task<GenItem?> Find(string? request);

    /// <summary>A name GrainReference already has: implemented explicitly by the proxy.</summary>
    Task<bool> Equals(int other);

    Task<(int, string)> Unsupported();
}

public interface IGenBaseGrain : IGrainWithIntegerKey
{
    Task<string> Name();

    Task<int> Twice(int value);
}

public interface IGenOtherBaseGrain : IGrainWithIntegerKey
{
    /// <summary>Same signature as <see cref="IGenBaseGrain.Name"/>: the proxy needs both, explicitly.</summary>
    Task<string> Name();
}

public interface IGenDerivedGrain : IGenBaseGrain, IGenOtherBaseGrain
{
    [ReadOnly]
    Task<int> Thrice(int value);
}

/// <summary>A grain interface with no methods of its own.</summary>
public interface IGenEmptyGrain : IGrainWithGuidKey
{
}

[Reentrant]
public abstract class GenGrainBase : Grain
{
}

[GrainType("gen-sample")]
public sealed class GenSampleGrain : GenGrainBase, IGenDerivedGrain, IGenEmptyGrain
{
    Task<string> IGenBaseGrain.Name() => Task.FromResult("base");

    Task<string> IGenOtherBaseGrain.Name() => Task.FromResult("other");

    public Task<int> Twice(int value) => Task.FromResult(value * 2);

    public Task<int> Thrice(int value) => Task.FromResult(value * 3);
}

/// <summary>Default grain type name ("gencalculator"), injected dependencies and persistent state.</summary>
public sealed class GenCalculatorGrain : Grain, IGenCalculatorGrain
{
    private readonly IPersistentState<GenState> state;

    public GenCalculatorGrain(IGrainContext context, ILogger<GenCalculatorGrain> logger,
        [PersistentState("calc", "gen-store")] IPersistentState<GenState> state, IGrainFactory factory)
    {
        _ = (context, logger, factory);
        this.state = state;
    }

    public GenCalculatorGrain()
    {
        state = null!;
    }

    public Task<int> Add(int a, int b) => Task.FromResult(state.State.Total += a + b);

    public Task<int> Current() => Task.FromResult(state.State.Total);

    public ValueTask<string> Describe(string prefix, CancellationToken cancellationToken) => new(prefix + state.State.Total);

    public Task Note(string text) => Task.CompletedTask;

    public ValueTask NoteValue(string text) => default;

    public Task Reset() => Task.FromResult(state.State.Total = 0);

    public ValueTask Touch() => default;

    public Task<List<GenItem>> Items(List<GenItem> items, Dictionary<string, int>? extra) => Task.FromResult(items);

    public Task<long> Sum(int[] values) => Task.FromResult(values.Sum(v => (long)v));

    public Task<GenItem?> Find(string? request) => Task.FromResult<GenItem?>(null);

    public Task<bool> Equals(int other) => Task.FromResult(other == state.State.Total);

    public Task<(int, string)> Unsupported() => Task.FromResult((1, "x"));
}
