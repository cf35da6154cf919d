namespace Flo.Streams.Tests;

/// <summary><c>ms-seq</c> ids: parsing, printing, order and the Redis rules for the next id.</summary>
public sealed class StreamIdTests
{
    [Theory]
    [InlineData("1700000000000-0", 1700000000000, 0)]
    [InlineData("5-17", 5, 17)]
    [InlineData("42", 42, 0)]
    [InlineData("0-0", 0, 0)]
    public void ParsesAndPrints(string text, long ms, long seq)
    {
        var id = StreamId.Parse(text);
        Assert.Equal(new StreamId(ms, seq), id);
        Assert.Equal($"{ms}-{seq}", id.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("1-")]
    [InlineData("-1")]
    [InlineData("a-1")]
    [InlineData("1-2-3")]
    [InlineData("1 -2")]
    [InlineData("+1-2")]
    [InlineData("99999999999999999999-0")]
    public void RejectsMalformedIds(string text)
    {
        Assert.False(StreamId.TryParse(text, out _));
        Assert.ThrowsAny<InvalidArgumentException>(() => StreamId.Parse(text));
    }

    [Fact]
    public void OrdersByTimestampThenSequence()
    {
        Assert.True(new StreamId(1, 5) < new StreamId(2, 0));
        Assert.True(new StreamId(2, 0) < new StreamId(2, 1));
        Assert.Equal(new StreamId(2, 1), new StreamId(2, 0).Next());
    }

    [Fact]
    public void TheNextIdNeverGoesBackWhenTheClockDoes()
    {
        var last = new StreamId(1000, 3);
        Assert.Equal(new StreamId(1001, 0), StreamId.NextAfter(last, 1001));
        Assert.Equal(new StreamId(1000, 4), StreamId.NextAfter(last, 1000));
        Assert.Equal(new StreamId(1000, 4), StreamId.NextAfter(last, 10));
    }
}
