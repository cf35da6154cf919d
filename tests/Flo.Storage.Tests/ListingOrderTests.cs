namespace Flo.Storage.Tests;

/// <summary>The UTF-8 order and prefix bounds every store lists in.</summary>
public sealed class ListingOrderTests
{
    [Theory]
    [InlineData("kv/ns/", "kv/ns0")]
    [InlineData("a", "b")]
    [InlineData("a\uD7FF", "a\uE000")]
    [InlineData("a\U0010FFFF", "b")]
    [InlineData("a\U0001F600", "a\U0001F601")]
    [InlineData("a\uFFFF", "a\U00010000")]
    public void APrefixEndsAtItsLastCodePointRaised(string prefix, string end)
        => Assert.Equal(end, Utf8Order.PrefixEnd(prefix));

    [Fact]
    public void NothingBoundsAnEmptyPrefixOrOneOfMaximalCodePoints()
    {
        Assert.Null(Utf8Order.PrefixEnd(""));
        Assert.Null(Utf8Order.PrefixEnd("\U0010FFFF\U0010FFFF"));
    }

    [Fact]
    public void StringsCompareAsTheirUtf8Bytes()
    {
        string[] strings = ["", "a", "ab", "b", "\uFFFD", "\U0001F600", "\uE000", "\uD7FF", "a\U0001F600", "a\uFFFF"];
        var byBytes = strings.OrderBy(s => s, Comparer<string>.Create((x, y) => System.Text.Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y)))).ToArray();
        Assert.Equal(byBytes, strings.Order(Utf8Order.Instance).ToArray());
    }
}
