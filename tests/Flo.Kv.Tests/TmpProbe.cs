using Flo.Tests.Shared;
namespace Flo.Kv.Tests;
public sealed class TmpProbe(SingleSiloSqlite fixture) : IClassFixture<SingleSiloSqlite>
{
    [Fact]
    public async Task LongBlockingGet()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var e = await Record.ExceptionAsync(() => fixture.Client.Kv.GetAsync("probe:" + Guid.NewGuid(), new GetOptions(BlockMs: 15_000)));
        Assert.Fail($"after {sw.Elapsed}: {e?.GetType().Name}: {e?.Message}");
    }
}
