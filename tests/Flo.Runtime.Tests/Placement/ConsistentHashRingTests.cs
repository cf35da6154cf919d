using Flo.Runtime.Membership;
using Flo.Runtime.Placement;
using Xunit.Abstractions;

namespace Flo.Runtime.Tests.Placement;

[Trait("Category", "Placement")]
public sealed class ConsistentHashRingTests(ITestOutputHelper output)
{
    private static readonly SiloAddress A = new("10.0.0.1", 11111, 100);
    private static readonly SiloAddress B = new("10.0.0.2", 11111, 100);
    private static readonly SiloAddress C = new("10.0.0.3", 11111, 100);

    private static GrainId Grain(int i) => new("kv", $"default/user:{i}");

    [Fact]
    public void HundredThousandGrainsSpreadEvenlyOverThreeSilos()
    {
        var ring = new ConsistentHashRing([A, B, C]);
        var counts = Enumerable.Range(0, 100_000).GroupBy(i => ring.Owner(Grain(i))!).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", counts.Select(c => $"{c.Key}: {c.Value}")));
        Assert.Equal(3, counts.Count);
        // With 256 virtual nodes per silo each silo gets a third give or take a tenth of a third.
        Assert.All(counts.Values, n => Assert.InRange(n, 33_333 * 0.9, 33_333 * 1.1));
    }

    [Fact]
    public void EverySiloBuildsTheSameRingWhateverTheOrder()
    {
        var one = new ConsistentHashRing([A, B, C]);
        var two = new ConsistentHashRing([C, A, B]);
        Assert.All(Enumerable.Range(0, 10_000), i => Assert.Equal(one.Owner(Grain(i)), two.Owner(Grain(i))));
    }

    [Fact]
    public void ASiloLeavingMovesOnlyItsOwnGrains()
    {
        var before = new ConsistentHashRing([A, B, C]);
        var after = new ConsistentHashRing([A, B]);
        var moved = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var was = before.Owner(Grain(i));
            var now = after.Owner(Grain(i));
            if (was != C)
            {
                Assert.Equal(was, now);
            }
            else
            {
                moved++;
                Assert.NotEqual(C, now);
            }
        }
        Assert.InRange(moved, 30_000 / 3 * 0.8, 30_000 / 3 * 1.2);
    }

    [Fact]
    public void AnEmptyRingHasNoOwner() => Assert.Null(new ConsistentHashRing([]).Owner(Grain(1)));
}
