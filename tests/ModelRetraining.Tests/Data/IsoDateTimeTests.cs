using System.Globalization;

namespace ModelRetraining.Tests.Data;

/// <summary>The digit-by-digit reading of plain ISO times gives what the general parser gives, or leaves the text to it.</summary>
public class IsoDateTimeTests
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
    ];

    [Theory]
    [InlineData("2001-01-01 00:01:00")]
    [InlineData("2001-12-31T23:59:59")]
    [InlineData("2000-02-29")]
    [InlineData("2001-02-29")]
    [InlineData("2001-13-01")]
    [InlineData("2001-00-10")]
    [InlineData("2001-01-00 10:00")]
    [InlineData("2001-01-01 24:00:00")]
    [InlineData("2001-01-01 23:60")]
    [InlineData("2001-01-01 23:59:60")]
    [InlineData("0000-01-01")]
    [InlineData("9999-12-31 23:59:59")]
    [InlineData("2001-1-01 10:00:00")]
    [InlineData("2001/01/01")]
    [InlineData("2001-01-01X10:00:00")]
    [InlineData("2001-01-01 10-00-00")]
    [InlineData("２００１-01-01")]
    [InlineData("abcd-ef-gh")]
    public void PlainForms_ReadAsTheGeneralParserReadsThem(string text)
    {
        var expected = DateTime.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var general);
        var fast = IsoDateTime.TryParse(text, CultureInfo.InvariantCulture, out var at);

        // Where the fast reading declines, the general parser decides; where it reads, it agrees exactly.
        if (fast)
        {
            Assert.True(expected, text);
            Assert.Equal(general, at);
            Assert.Equal(DateTimeKind.Utc, at.Kind);
        }
        else
        {
            Assert.False(expected && text.Length is 10 or 16 or 19 && !text.Any(c => c > 127), $"'{text}' is a plain form the general parser reads, but the fast reading refused it");
        }
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("fa-IR")]
    public void ACultureWithAnotherCalendar_IsLeftToTheGeneralParser(string culture)
    {
        Assert.False(IsoDateTime.TryParse("2001-01-01 10:00:00", CultureInfo.GetCultureInfo(culture), out _));
    }
}
