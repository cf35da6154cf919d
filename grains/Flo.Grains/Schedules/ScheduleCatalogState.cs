namespace Flo.Grains.Schedules;

/// <summary>The catalog's stored state; its ids are records (<see cref="ScheduleCatalogEntry"/>) beside it.</summary>
[GenerateSerializer]
[Alias("flo.schedule.catalog-state")]
public sealed class ScheduleCatalogState
{
    /// <summary>The ids as the state held them before ids moved into records; moved when the catalog activates.</summary>
    [Id(0)] public SortedSet<string> Ids { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the namespace was entered in the directory.</summary>
    [Id(1)] public bool InDirectory { get; set; }

    /// <summary>The record id the next new schedule id gets.</summary>
    [Id(2)] public long NextId { get; set; } = 1;
}

/// <summary>One schedule id of a catalog, stored as a record beside <see cref="ScheduleCatalogState"/>.</summary>
[GenerateSerializer]
[Alias("flo.schedule.catalog-entry")]
public sealed record ScheduleCatalogEntry
{
    /// <summary>The schedule's id.</summary>
    [Id(0)] public required string Id { get; init; }
}
