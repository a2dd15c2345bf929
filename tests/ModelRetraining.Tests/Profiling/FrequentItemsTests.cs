namespace ModelRetraining.Tests;

/// <summary>The frequent-items summary's Misra–Gries step and what Add tells its caller.</summary>
public class FrequentItemsTests
{
    [Fact]
    public void Add_WhenFull_EveryCounterPaysOne_TheNewValueIsDropped_AndKnownValuesSaySo()
    {
        var items = new FrequentItems(capacity: 3);
        Assert.False(items.Add("a"));
        Assert.True(items.Add("a")); // counted before: its hash is already in the distinct count
        Assert.False(items.Add("b"));
        Assert.False(items.Add("c"));

        Assert.False(items.Add("d")); // full: a 2 → 1, b and c 1 → gone, d dropped

        Assert.Equal(new Dictionary<string, long> { ["a"] = 1 }, items.Counts);
        Assert.Equal(5, items.Total);
        Assert.Equal(1, items.MaxUndercount);
        Assert.False(items.Add("b")); // gone, so new again
        Assert.True(items.Add("a"));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 2, ["b"] = 1 }, items.Counts);
    }

    [Fact]
    public void Add_OfManyUniqueValues_KeepsTheHeavyOnesWithinTheStatedUndercount()
    {
        var items = new FrequentItems(capacity: 16);
        var heavy = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (i % 4 == 0)
            {
                items.Add("heavy");
                heavy++;
            }
            else
            {
                items.Add($"id-{i}");
            }
        }

        Assert.True(items.Counts.Count <= 16);
        Assert.InRange(items.Counts["heavy"], heavy - items.MaxUndercount, heavy);
        Assert.True(items.MaxUndercount <= items.Total / 17, $"undercount {items.MaxUndercount} over N / (capacity + 1)");
    }
}
