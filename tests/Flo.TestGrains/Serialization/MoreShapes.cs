namespace Flo.TestGrains.Serialization;

/// <summary>A [GenerateSerializer] enum needs no codec of its own; a 64-bit underlying type with negative values.</summary>
[GenerateSerializer]
public enum Priority : long { Lowest = long.MinValue, Normal = 0, Urgent = 1L << 40 }

[GenerateSerializer]
public record struct Money([property: Id(0)] decimal Amount, [property: Id(1)] string Currency);

[GenerateSerializer]
public readonly struct Interval
{
    public Interval(int start, int end)
    {
        Start = start;
        End = end;
    }

    [Id(0)] public int Start { get; }
    [Id(1)] public int End { get; }
}

/// <summary>Constructor for some members, setters for the rest.</summary>
[GenerateSerializer]
public sealed class Order
{
    public Order(string id, Money total)
    {
        Id = id;
        Total = total;
    }

    [Id(0)] public string Id { get; }
    [Id(1)] public Money Total { get; }
    [Id(2)] public List<OrderLine> Lines { get; set; } = [];
    [Id(3)] public Interval? Window { get; set; }
    [Id(4)] public Priority Priority { get; set; } = Priority.Normal;
}

[GenerateSerializer]
public sealed record OrderLine([property: Id(0)] string Sku, [property: Id(1)] int Quantity);

/// <summary>Non-public members go through UnsafeAccessor.</summary>
[GenerateSerializer]
public sealed class Account
{
    [Id(0)] private long balance;
    [Id(1)] private readonly string owner = "nobody";
    [Id(2)] public int Version { get; private set; } = 1;
    [Id(3)] private List<string> History { get; set; } = [];
    [Id(4)] internal string? Note;

    public Account()
    {
    }

    // Not accessible to generated code, so the codec uses the parameterless constructor and writes the fields.
    private Account(string owner) => this.owner = owner;

    public long Balance => balance;
    public string Owner => owner;
    public string? NoteText { get => Note; set => Note = value; }
    public IReadOnlyList<string> Entries => History;

    public static Account Create(string owner, long balance, int version, params string[] history)
        => new(owner) { balance = balance, Version = version, History = [.. history] };
}

/// <summary>Init-only and required members.</summary>
[GenerateSerializer]
public sealed class Settings
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public int Retries { get; init; } = 3;
    [Id(2)] public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Version 1 of a positional record.</summary>
[GenerateSerializer]
public sealed record TicketV1([property: Id(0)] string Title);

/// <summary>Version 2 adds a constructor parameter with a default: V1 data gets the default.</summary>
[GenerateSerializer]
public sealed record TicketV2([property: Id(0)] string Title, [property: Id(1)] int Points = 5, [property: Id(2)] Priority Priority = Priority.Urgent);

/// <summary>Collections of collections and other composed shapes.</summary>
[GenerateSerializer]
public sealed class Collections
{
    [Id(0)] public Dictionary<string, List<int>> Groups { get; set; } = [];
    [Id(1)] public List<int?> Sparse { get; set; } = [];
    [Id(2)] public string[] Names { get; set; } = [];
    [Id(3)] public Address[] Addresses { get; set; } = [];
    [Id(4)] public SortedDictionary<int, string> Sorted { get; set; } = [];
    [Id(5)] public IReadOnlyDictionary<Guid, Money> ByGuid { get; set; } = new Dictionary<Guid, Money>();
    [Id(6)] public KeyValuePair<string, long> Pair { get; set; }
    [Id(7)] public Memory<byte> Writable { get; set; }
    [Id(8)] public HashSet<string> Tags { get; set; } = [];
    [Id(9)] public List<List<string>> Nested { get; set; } = [];
    [Id(10)] public Dictionary<string, string?> NullValues { get; set; } = [];
    [Id(11)] public List<Animal?> Animals { get; set; } = [];
}

/// <summary>An abstract [GenerateSerializer] base lends its members; only concrete types get codecs.</summary>
[GenerateSerializer]
public abstract class Shape
{
    [Id(0)] public string Label { get; set; } = "";
}

[GenerateSerializer]
public class Circle : Shape
{
    [Id(1)] public double Radius { get; set; }
}

[GenerateSerializer]
public sealed class Ring : Circle
{
    [Id(2)] public double Inner { get; set; }
}

/// <summary>Fields, a struct holding a class, and a class holding a struct holding a class.</summary>
[GenerateSerializer]
public struct Envelope
{
    [Id(0)] public Address? To;
    [Id(1)] public DateTime Sent;
    [Id(2)] public Guid? Tracking;
}

[GenerateSerializer]
public sealed class Parcel
{
    [Id(0)] public Envelope Envelope;
    [Id(1)] public double WeightKg;
    [Id(2)] public ReadOnlyMemory<byte> Label;
}
