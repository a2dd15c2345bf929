using System.Globalization;

namespace ModelRetraining;

/// <summary>
/// The ISO 8601 forms most files hold (<c>yyyy-MM-dd</c>, with <c> HH:mm</c> or <c> HH:mm:ss</c>, a space
/// or a <c>T</c> between), read digit by digit: <see cref="DateTime.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTime)"/>
/// tries its formats one by one and took a third of a CSV read of dated rows. Anything else (fractions,
/// offsets, another calendar) is left to it, so the values read are the same either way.
/// </summary>
internal static class IsoDateTime
{
    /// <summary>Reads <paramref name="text"/> as a UTC time when it has one of the plain forms.</summary>
    /// <returns><see langword="false"/> when it has another form (or is not a valid date): ask the general parser.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, CultureInfo culture, out DateTime at)
    {
        at = default;
        if (text.Length is not (10 or 16 or 19)
            || culture.DateTimeFormat.Calendar is not GregorianCalendar
            || culture.DateTimeFormat.TimeSeparator != ":"
            || text[4] != '-' || text[7] != '-'
            || !Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day))
        {
            return false;
        }

        int hour = 0, minute = 0, second = 0;
        if (text.Length > 10
            && (text[10] is not (' ' or 'T') || text[13] != ':'
                || !Digits(text, 11, 2, out hour) || !Digits(text, 14, 2, out minute)
                || (text.Length == 19 && (text[16] != ':' || !Digits(text, 17, 2, out second)))))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        at = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            value = (value * 10) + digit;
        }

        return true;
    }
}
