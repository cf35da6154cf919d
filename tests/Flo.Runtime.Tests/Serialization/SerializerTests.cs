using Flo.Serialization;
using Flo.TestGrains.Serialization;

namespace Flo.Runtime.Tests.Serialization;

[Trait("Category", "Serialization")]
public sealed class SerializerTests
{
    private static AllShapes Sample() => new()
    {
        Int = -42, Long = long.MaxValue, Bool = true, Double = Math.PI, Float = 1.5f, Decimal = 12345.6789m,
        Text = "héllo ✓", NullText = null, Bytes = [0, 1, 255], Memory = new byte[] { 9, 8, 7 },
        Guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        Time = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc),
        TimeOffset = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(2)),
        Span = TimeSpan.FromMilliseconds(1500), Level = Level.High, NullableSet = 7, NullableUnset = null,
        List = ["a", "b"], Map = new() { ["x"] = 1, ["y"] = 2 }, Set = [3, 4], Array = [5, 6, 7],
        Nested = new Address("Main", 1), NestedList = [new Address("A", 2), new Address("B", 3)],
        NestedMap = new() { ["home"] = new Address("C", 4) }, ReadOnlyList = [1L, -1L],
        Point = new Point { X = 1, Y = -2 }, NullablePoint = new Point { X = 3, Y = 4 }, Char = 'λ', ULong = ulong.MaxValue,
        NotSerialized = 99,
    };

    [Fact]
    public void EveryShapeRoundTrips()
    {
        var original = Sample();
        var copy = Serializer.Deserialize<AllShapes>(Serializer.SerializeToArray(original));
        Assert.Equal(original.Int, copy.Int);
        Assert.Equal(original.Long, copy.Long);
        Assert.True(copy.Bool);
        Assert.Equal(original.Double, copy.Double);
        Assert.Equal(original.Float, copy.Float);
        Assert.Equal(original.Decimal, copy.Decimal);
        Assert.Equal(original.Text, copy.Text);
        Assert.Null(copy.NullText);
        Assert.Equal(original.Bytes, copy.Bytes);
        Assert.Equal(original.Memory.ToArray(), copy.Memory.ToArray());
        Assert.Equal(original.Guid, copy.Guid);
        Assert.Equal(original.Time, copy.Time);
        Assert.Equal(DateTimeKind.Utc, copy.Time.Kind);
        Assert.Equal(original.TimeOffset, copy.TimeOffset);
        Assert.Equal(original.TimeOffset.Offset, copy.TimeOffset.Offset);
        Assert.Equal(original.Span, copy.Span);
        Assert.Equal(Level.High, copy.Level);
        Assert.Equal(7, copy.NullableSet);
        Assert.Null(copy.NullableUnset);
        Assert.Equal(original.List, copy.List);
        Assert.Equal(original.Map, copy.Map);
        Assert.Equal(original.Set, copy.Set);
        Assert.Equal(original.Array, copy.Array);
        Assert.Equal(original.Nested, copy.Nested);
        Assert.Equal(original.NestedList, copy.NestedList);
        Assert.Equal(original.NestedMap["home"], copy.NestedMap["home"]);
        Assert.Equal(original.ReadOnlyList, copy.ReadOnlyList);
        Assert.Equal(original.Point, copy.Point);
        Assert.Equal(original.NullablePoint, copy.NullablePoint);
        Assert.Equal('λ', copy.Char);
        Assert.Equal(ulong.MaxValue, copy.ULong);
        Assert.Null(copy.NullBytes);
        Assert.Null(copy.NullList);
        Assert.Equal(0, copy.NotSerialized);
    }

    [Fact]
    public void RecordsInheritanceAndNullTopLevelRoundTrip()
    {
        var dog = Serializer.Deserialize<Dog>(Serializer.SerializeToArray(new Dog { Name = "Rex", GoodBoy = true }));
        Assert.Equal("Rex", dog.Name);
        Assert.True(dog.GoodBoy);

        var positional = Serializer.Deserialize<Positional>(Serializer.SerializeToArray(new Positional("a", 2) { Extra = "e" }));
        Assert.Equal(new Positional("a", 2) { Extra = "e" }, positional);

        Assert.Null(Serializer.Deserialize<Address?>(Serializer.SerializeToArray<Address?>(null)));
        Assert.Equal([1, 2], Serializer.Deserialize<List<int>>(Serializer.SerializeToArray(new List<int> { 1, 2 })));
    }

    [Fact]
    public void NewerDataIsReadByAnOlderTypeSkippingUnknownFields()
    {
        var v2 = new PersonV2 { Name = "Ada", Age = 36, Email = "ada@example.com", Home = new Address("X", 1) };
        var v1 = Serializer.Deserialize<PersonV1>(Serializer.SerializeToArray(v2));
        Assert.Equal("Ada", v1.Name);
        Assert.Equal(36, v1.Age);
    }

    [Fact]
    public void OlderDataIsReadByANewerTypeKeepingDefaults()
    {
        var v2 = Serializer.Deserialize<PersonV2>(Serializer.SerializeToArray(new PersonV1 { Name = "Bob", Age = 40 }));
        Assert.Equal("Bob", v2.Name);
        Assert.Equal(40, v2.Age);
        Assert.Equal("none", v2.Email);
        Assert.Null(v2.Home);
    }

    [Fact]
    public void TheEncodingIsFrozen()
    {
        // Stored state depends on these bytes: a change here breaks every database. Update only with a migration.
        var bytes = Serializer.SerializeToArray(new PersonV2 { Name = "Ada", Age = 36, Email = "e", Home = new Address("S", 2) });
        Assert.Equal("04030341646108481301651C03015308040505", Convert.ToHexString(bytes));
    }

    [Fact]
    public void TruncatedDataFailsWithSerializationException()
    {
        var bytes = Serializer.SerializeToArray(Sample());
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<AllShapes>(bytes.AsMemory(0, n)));
        }
    }

    [Fact]
    public void HostileInputFailsWithSerializationExceptionOnly()
    {
        // A list claiming two billion elements.
        var hugeList = new byte[] { (0 << 3) | 7, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<List<int>>(hugeList));

        // Invalid UTF-8.
        var badUtf8 = new byte[] { (0 << 3) | 3, 2, 0xC3, 0x28 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<string>(badUtf8));

        // Wrong wire type for an int.
        var wrongType = new byte[] { (0 << 3) | 3, 1, 65 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<int>(wrongType));

        // An int that overflows.
        var overflow = Serializer.SerializeToArray(long.MaxValue);
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<int>(overflow));

        // Nesting deeper than the limit.
        Deep? deep = null;
        for (var i = 0; i < 100; i++)
        {
            deep = new Deep(deep, i);
        }
        var deepBytes = Serializer.SerializeToArray(deep);
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Deep>(deepBytes));

        // Random garbage never escapes as another exception type.
        var random = new Random(1234);
        for (var i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            try
            {
                Serializer.Deserialize<AllShapes>(garbage);
            }
            catch (SerializationException)
            {
            }
        }
    }

    [Fact]
    public void MethodIdsAreTheStableHashOfNameAndArity()
    {
        var echo = Flo.Invocation.GrainInterface<Flo.TestGrains.Runtime.IEchoGrain>.Info;
        var invokable = echo.CreateInvokable(StableHash.Of("EchoBytes(1)"));
        Assert.NotNull(invokable);
        Assert.Equal("EchoBytes", invokable!.MethodName);
        Assert.Equal(StableHash.Of("Flo.TestGrains.Runtime.IEchoGrain"), echo.Id);
        var ping = Flo.Invocation.GrainInterface<Flo.TestGrains.Runtime.IOrderingGrain>.Info.CreateInvokable(StableHash.Of("Read(1)"));
        Assert.Equal(Flo.Invocation.InvokeFlags.ReadOnly, ping!.Flags);
        var tell = echo.CreateInvokable(StableHash.Of("Tell(1)"));
        Assert.Equal(Flo.Invocation.InvokeFlags.OneWay, tell!.Flags);
    }
}
