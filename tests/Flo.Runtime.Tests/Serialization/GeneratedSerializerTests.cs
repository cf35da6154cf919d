using Flo.Serialization;
using Flo.TestGrains.Serialization;

namespace Flo.Runtime.Tests.Serialization;

/// <summary>Generated codecs: construction strategies, non-public members, defaults for missing data, composed shapes.</summary>
[Trait("Category", "Serialization")]
public sealed class GeneratedSerializerTests
{
    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value));

    /// <summary>An object with no fields: what older data looks like to a type whose members are all new.</summary>
    private static readonly byte[] EmptyObject = [(0 << 3) | (byte)WireType.StartObject, (byte)WireType.EndObject];

    [Fact]
    public void RecordStructsReadOnlyStructsAndEnumsRoundTrip()
    {
        Assert.Equal(new Money(12.34m, "EUR"), RoundTrip(new Money(12.34m, "EUR")));
        var range = RoundTrip(new Interval(-3, 9));
        Assert.Equal((-3, 9), (range.Start, range.End));
        Assert.Equal(Priority.Lowest, RoundTrip(Priority.Lowest));
        Assert.Equal(Priority.Urgent, RoundTrip(Priority.Urgent));
        Assert.Equal((Priority)12345, RoundTrip((Priority)12345));
        Assert.Equal(new Money(0, null!), RoundTrip(new Money(0, null!)));
    }

    [Fact]
    public void ConstructorParametersAndSettersAreBothUsed()
    {
        var order = new Order("o-1", new Money(5m, "USD"))
        {
            Lines = [new OrderLine("a", 1), new OrderLine("b", 2)],
            Window = new Interval(1, 2),
            Priority = Priority.Urgent,
        };
        var copy = RoundTrip(order);
        Assert.Equal("o-1", copy.Id);
        Assert.Equal(new Money(5m, "USD"), copy.Total);
        Assert.Equal(order.Lines, copy.Lines);
        Assert.Equal(1, copy.Window!.Value.Start);
        Assert.Equal(Priority.Urgent, copy.Priority);

        var noWindow = RoundTrip(new Order("o-2", default));
        Assert.Null(noWindow.Window);
        Assert.Equal(Priority.Normal, noWindow.Priority);
    }

    [Fact]
    public void NonPublicMembersRoundTripThroughUnsafeAccessors()
    {
        var account = Account.Create("ada", -42, 7, "opened", "deposited");
        account.NoteText = "internal";
        var copy = RoundTrip(account);
        Assert.Equal(-42, copy.Balance);
        Assert.Equal("ada", copy.Owner);
        Assert.Equal(7, copy.Version);
        Assert.Equal(new[] { "opened", "deposited" }, copy.Entries);
        Assert.Equal("internal", copy.NoteText);
    }

    [Fact]
    public void MembersMissingFromTheDataKeepTheirInitializerValues()
    {
        var account = Serializer.Deserialize<Account>(EmptyObject);
        Assert.Equal("nobody", account.Owner);
        Assert.Equal(1, account.Version);
        Assert.Empty(account.Entries);

        // Init-only members are written after construction too, so their initializers survive missing data.
        var settings = Serializer.Deserialize<Settings>(EmptyObject);
        Assert.Null(settings.Name);
        Assert.Equal(3, settings.Retries);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Timeout);

        var full = RoundTrip(new Settings { Name = "n", Retries = 0, Timeout = TimeSpan.Zero });
        Assert.Equal(("n", 0, TimeSpan.Zero), (full.Name, full.Retries, full.Timeout));
    }

    [Fact]
    public void RecordVersionsAreCompatibleBothWays()
    {
        // Old data, new type: the new constructor parameters get their declared defaults.
        var upgraded = Serializer.Deserialize<TicketV2>(Serializer.SerializeToArray(new TicketV1("fix it")));
        Assert.Equal(new TicketV2("fix it", 5, Priority.Urgent), upgraded);

        // New data, old type: the unknown fields are skipped.
        var downgraded = Serializer.Deserialize<TicketV1>(Serializer.SerializeToArray(new TicketV2("ship it", 8, Priority.Lowest)));
        Assert.Equal(new TicketV1("ship it"), downgraded);
    }

    [Fact]
    public void ComposedCollectionsRoundTrip()
    {
        var guid = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        var value = new Collections
        {
            Groups = new() { ["odd"] = [1, 3], ["even"] = [2], ["none"] = [] },
            Sparse = [1, null, 3],
            Names = ["x", "", "ÿ"],
            Addresses = [new Address("a", 1), null!],
            Sorted = new() { [2] = "two", [1] = "one" },
            ByGuid = new Dictionary<Guid, Money> { [guid] = new Money(1m, "GBP") },
            Pair = new KeyValuePair<string, long>("k", long.MinValue),
            Writable = new byte[] { 1, 2, 3 },
            Tags = ["t1", "t2"],
            Nested = [["a"], [], ["b", "c"]],
            NullValues = new() { ["present"] = "v", ["absent"] = null },
            Animals = [new Animal { Name = "cat" }, null, new Animal { Name = "" }],
        };
        var copy = RoundTrip(value);
        Assert.Equal(value.Groups, copy.Groups);
        Assert.Equal(value.Sparse, copy.Sparse);
        Assert.Equal(value.Names, copy.Names);
        Assert.Equal(value.Addresses, copy.Addresses);
        Assert.Equal(value.Sorted, copy.Sorted);
        Assert.Equal(new[] { 1, 2 }, copy.Sorted.Keys);
        Assert.Equal(value.ByGuid, copy.ByGuid);
        Assert.Equal(value.Pair, copy.Pair);
        Assert.Equal(value.Writable.ToArray(), copy.Writable.ToArray());
        Assert.Equal(value.Tags, copy.Tags);
        Assert.Equal(value.Nested, copy.Nested);
        Assert.Equal(value.NullValues, copy.NullValues);
        Assert.Equal(new[] { "cat", null, "" }, copy.Animals.Select(a => a?.Name));
    }

    [Fact]
    public void MembersOfEveryGenerateSerializerBaseClassAreIncluded()
    {
        var ring = RoundTrip(new Ring { Label = "r", Radius = 2.5, Inner = 1 });
        Assert.Equal(("r", 2.5, 1.0), (ring.Label, ring.Radius, ring.Inner));
        var circle = RoundTrip(new Circle { Label = "c", Radius = 3 });
        Assert.Equal(("c", 3.0), (circle.Label, circle.Radius));
        // Abstract types lend members but have no codec of their own.
        Assert.False(CodecRegistry.IsRegistered(typeof(Shape)));
        // A derived object written as its base type is read back as the base (no polymorphism).
        Assert.Equal("r", Serializer.Deserialize<Circle>(Serializer.SerializeToArray<Circle>(ring)).Label);
        Assert.IsType<Circle>(Serializer.Deserialize<Circle>(Serializer.SerializeToArray<Circle>(ring)));
    }

    [Fact]
    public void StructFieldsHoldingReferencesRoundTrip()
    {
        var parcel = new Parcel
        {
            Envelope = new Envelope { To = new Address("Elm", 4), Sent = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Local), Tracking = Guid.Empty },
            WeightKg = double.NaN,
            Label = new byte[] { 0xFF },
        };
        var copy = RoundTrip(parcel);
        Assert.Equal(parcel.Envelope.To, copy.Envelope.To);
        Assert.Equal(parcel.Envelope.Sent, copy.Envelope.Sent);
        Assert.Equal(DateTimeKind.Local, copy.Envelope.Sent.Kind);
        Assert.Equal(Guid.Empty, copy.Envelope.Tracking);
        Assert.True(double.IsNaN(copy.WeightKg));
        Assert.Equal(new byte[] { 0xFF }, copy.Label.ToArray());

        var empty = RoundTrip(new Parcel());
        Assert.Null(empty.Envelope.To);
        Assert.Null(empty.Envelope.Tracking);
    }

    [Fact]
    public void NullValuesOfGeneratedClassesRoundTripAndStructsRejectNull()
    {
        Assert.Null(RoundTrip<Order?>(null));
        Assert.Null(RoundTrip<Collections?>(null));
        var nullBytes = Serializer.SerializeToArray<Address?>(null);
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Money>(nullBytes));
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Interval>(nullBytes));
    }

    [Fact]
    public void TheGoldenEncodingOfAComposedObjectIsFrozen()
    {
        // Stored state depends on these bytes: a change here breaks every database. Update only with a migration.
        var order = new Order("o", new Money(1.5m, "EUR"))
        {
            Lines = [new OrderLine("sku", 2)],
            Window = new Interval(-1, 1),
            Priority = Priority.Urgent,
        };
        var expected = string.Concat(
            "04",                                         // field 0: Order
            "03016F",                                     //   0: Id "o"
            "0C", "03100F000000000000000000000000000100", //   1: Money { 0: 1.5m (16 bytes, scale 1)
            "0B03455552", "05",                           //              1: "EUR" }
            "1701", "04", "0303736B75", "0804", "05",     //   2: [ OrderLine { 0: "sku", 1: 2 (zig-zag) } ]
            "1C", "0001", "0802", "05",                   //   3: Interval { 0: -1, 1: 1 }
            "20808080808040",                             //   4: Priority.Urgent (2^40, zig-zag varint)
            "05");
        Assert.Equal(expected, Convert.ToHexString(Serializer.SerializeToArray(order)));
    }

    [Fact]
    public void TruncatedOrCorruptedGeneratedObjectsFailWithSerializationExceptionOnly()
    {
        var samples = new Func<byte[]>[]
        {
            () => Serializer.SerializeToArray(Account.Create("o", 1, 2, "h")),
            () => Serializer.SerializeToArray(new Order("o", new Money(1, "x")) { Lines = [new OrderLine("a", 1)], Window = new Interval(1, 2) }),
            () => Serializer.SerializeToArray(new Collections { Groups = new() { ["a"] = [1] }, Nested = [["x"]], Sparse = [null] }),
            () => Serializer.SerializeToArray(new TicketV2("t")),
            () => Serializer.SerializeToArray(new Parcel { Envelope = new Envelope { To = new Address("s", 1) } }),
        };
        var random = new Random(42);
        foreach (var sample in samples)
        {
            var bytes = sample();
            for (var n = 0; n < bytes.Length; n++)
            {
                Expect(bytes.AsMemory(0, n));
            }
            for (var i = 0; i < 500; i++)
            {
                var corrupted = (byte[])bytes.Clone();
                corrupted[random.Next(corrupted.Length)] = (byte)random.Next(256);
                MaybeThrows(corrupted);
            }
        }

        void Expect(ReadOnlyMemory<byte> data)
        {
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<Account>(data));
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<Order>(data));
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<Collections>(data));
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<TicketV2>(data));
            Assert.Throws<SerializationException>(() => Serializer.Deserialize<Parcel>(data));
        }

        void MaybeThrows(byte[] data)
        {
            foreach (var read in new Action[]
            {
                () => Serializer.Deserialize<Account>(data), () => Serializer.Deserialize<Order>(data),
                () => Serializer.Deserialize<Collections>(data), () => Serializer.Deserialize<TicketV2>(data),
                () => Serializer.Deserialize<Parcel>(data),
            })
            {
                try
                {
                    read();
                }
                catch (SerializationException)
                {
                }
            }
        }
    }

    [Fact]
    public void HostileCountsLengthsAndDepthInsideObjectsFail()
    {
        // Collections.Groups (field 0) as a list claiming 2^31 elements.
        var hugeList = new byte[] { 0x04, (0 << 3) | 7, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Collections>(hugeList));

        // Collections.Names (field 2) as a one-element list whose string claims 2^31 bytes.
        var hugeString = new byte[] { 0x04, (2 << 3) | 7, 0x01, (0 << 3) | 3, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Collections>(hugeString));

        // Collections.Groups with an odd number of key/value entries.
        var oddDictionary = new byte[] { 0x04, (0 << 3) | 7, 0x01, (0 << 3) | 3, 0x00, 0x05 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Collections>(oddDictionary));

        // Bad UTF-8 in a nested string member.
        var badUtf8 = new byte[] { 0x04, (0 << 3) | 3, 0x02, 0xC3, 0x28, 0x05 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<OrderLine>(badUtf8));

        // Unknown fields nested deeper than the limit are refused while being skipped, too.
        var deep = new List<byte> { 0x04 };
        for (var i = 0; i < 100; i++)
        {
            deep.Add((9 << 3) | 4);
        }
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<OrderLine>(deep.ToArray()));

        // A struct member sent as a string.
        var wrongType = new byte[] { 0x04, (1 << 3) | 3, 0x00, 0x05 };
        Assert.Throws<SerializationException>(() => Serializer.Deserialize<Order>(wrongType));
    }
}
