using Orleans;
using Orleans.Concurrency;

namespace ServiceSample.Grains;

/// <summary>Counts the visits of one visitor (the grain key is the visitor's name).</summary>
[Alias("sample.visit-counter")]
public interface IVisitCounterGrain : IGrainWithStringKey
{
    /// <summary>Records a visit; returns the visitor's visit count, this one included.</summary>
    [Alias("visit")]
    Task<VisitSummary> Visit();

    /// <summary>The visits so far.</summary>
    [ReadOnly]
    [Alias("get")]
    Task<VisitSummary> Get();
}

/// <summary>A visitor's visits.</summary>
[GenerateSerializer]
[Alias("sample.visit-summary")]
public sealed record VisitSummary
{
    /// <summary>The visitor.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Visits so far.</summary>
    [Id(1)] public long Visits { get; init; }

    /// <summary>When the last visit was recorded (Unix ms); 0 for none.</summary>
    [Id(2)] public long LastVisitMs { get; init; }
}
