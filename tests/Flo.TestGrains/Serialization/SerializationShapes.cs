namespace Flo.TestGrains.Serialization;

public enum Level : byte { Low = 1, High = 200 }

[GenerateSerializer]
public sealed record Address([property: Id(0)] string Street, [property: Id(1)] int Number);

[GenerateSerializer]
public struct Point
{
    [Id(0)] public int X;
    [Id(1)] public int Y;
}

/// <summary>Every shape the wire format supports, in one type.</summary>
[GenerateSerializer]
public sealed class AllShapes
{
    [Id(0)] public int Int { get; set; }
    [Id(1)] public long Long { get; set; }
    [Id(2)] public bool Bool { get; set; }
    [Id(3)] public double Double { get; set; }
    [Id(4)] public float Float { get; set; }
    [Id(5)] public decimal Decimal { get; set; }
    [Id(6)] public string Text { get; set; } = "";
    [Id(7)] public string? NullText { get; set; }
    [Id(8)] public byte[] Bytes { get; set; } = [];
    [Id(9)] public ReadOnlyMemory<byte> Memory { get; set; }
    [Id(10)] public Guid Guid { get; set; }
    [Id(11)] public DateTime Time { get; set; }
    [Id(12)] public DateTimeOffset TimeOffset { get; set; }
    [Id(13)] public TimeSpan Span { get; set; }
    [Id(14)] public Level Level { get; set; }
    [Id(15)] public int? NullableSet { get; set; }
    [Id(16)] public int? NullableUnset { get; set; }
    [Id(17)] public List<string> List { get; set; } = [];
    [Id(18)] public Dictionary<string, int> Map { get; set; } = [];
    [Id(19)] public HashSet<int> Set { get; set; } = [];
    [Id(20)] public int[] Array { get; set; } = [];
    [Id(21)] public Address? Nested { get; set; }
    [Id(22)] public List<Address> NestedList { get; set; } = [];
    [Id(23)] public Dictionary<string, Address> NestedMap { get; set; } = [];
    [Id(24)] public IReadOnlyList<long> ReadOnlyList { get; set; } = [];
    [Id(25)] public Point Point { get; set; }
    [Id(26)] public Point? NullablePoint { get; set; }
    [Id(27)] public char Char { get; set; }
    [Id(28)] public ulong ULong { get; set; }
    [Id(29)] public byte[]? NullBytes { get; set; }
    [Id(30)] public List<int>? NullList { get; set; }
    public int NotSerialized { get; set; }
}

/// <summary>Version 1 of a stored type.</summary>
[GenerateSerializer]
public sealed class PersonV1
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Age { get; set; }
}

/// <summary>Version 2 adds two fields; the new ones must be skippable by V1 readers and defaulted for V1 data.</summary>
[GenerateSerializer]
public sealed class PersonV2
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Age { get; set; }
    [Id(2)] public string Email { get; set; } = "none";
    [Id(3)] public Address? Home { get; set; }
}

[GenerateSerializer]
public class Animal
{
    [Id(0)] public string Name { get; set; } = "";
}

[GenerateSerializer]
public sealed class Dog : Animal
{
    [Id(1)] public bool GoodBoy { get; set; }
}

[GenerateSerializer]
public sealed record Positional([Id(0)] string A, [Id(1)] int B)
{
    [Id(2)] public string? Extra { get; init; }
}

[GenerateSerializer]
public sealed record Deep([property: Id(0)] Deep? Inner, [property: Id(1)] int Depth);
