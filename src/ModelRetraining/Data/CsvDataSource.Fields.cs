using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

// Reading one field as its declared kind, and the tallies of fields that could not be read.
public sealed partial class CsvDataSource
{
    internal static bool TryParse(DataColumnKind kind, ReadOnlySpan<char> field, CsvSchema schema, out CsvCell cell, out bool outOfRange)
    {
        field = field.Trim();
        outOfRange = false;
        cell = CsvCell.Missing;
        switch (kind)
        {
            case DataColumnKind.Numeric:
                if (field.IsEmpty)
                {
                    return true;
                }

                if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    // 1e309 parses as infinity without complaint: that is a value lost, not a value read.
                    if (float.IsInfinity(number) && !schema.AllowInfinity)
                    {
                        outOfRange = true;
                        return false;
                    }

                    cell.Number = number;
                    return true;
                }

                return false;
            case DataColumnKind.Text:
                cell.Text = field.IsEmpty ? string.Empty : TextPool.Intern(field);
                return true;
            case DataColumnKind.Boolean:
                if (field.IsEmpty)
                {
                    return true;
                }

                if (field.Equals("true", StringComparison.OrdinalIgnoreCase) || field.SequenceEqual("1") || field.Equals("yes", StringComparison.OrdinalIgnoreCase))
                {
                    cell.Flag = cell.HasFlag = true;
                    return true;
                }

                if (field.Equals("false", StringComparison.OrdinalIgnoreCase) || field.SequenceEqual("0") || field.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    cell.HasFlag = true;
                    return true;
                }

                return false;
            case DataColumnKind.DateTime:
                if (field.IsEmpty)
                {
                    return true;
                }

                cell.HasTime = TryParseTime(field, schema, out cell.Time);
                return cell.HasTime;
            default:
                return false;
        }
    }

    // ISO 8601 in the forms files use; anything else (01/02/2001: January or February?) needs a format.
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    // Read as UTC (the schema is a clone, whose formats are an array): a time with Z or an offset is converted to UTC, one without is taken as UTC already, so the
    // same file and window keep the same rows whatever the machine's time zone (TryParse converted to local time).
    private static bool TryParseTime(ReadOnlySpan<char> field, CsvSchema schema, out DateTime at)
        => TryParseUtc(field, schema.DateTimeFormats as string[], schema.Culture, out at);

    // The one date-time rule of every text source (CSV cells, text columns of a query): ISO 8601 unless formats are given, in UTC.
    internal static bool TryParseUtc(ReadOnlySpan<char> field, string[]? formats, CultureInfo culture, out DateTime at)
    {
        field = field.Trim();
        return (formats is null && IsoDateTime.TryParse(field, culture, out at))
            || System.DateTime.TryParseExact(field, formats ?? IsoFormats, culture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out at);
    }

    // A header of 10,000 columns must not make a 69k-character message: name the first few and count the rest.
    private static string HeaderList(string[] header, int shown = 20)
        => header.Length <= shown
            ? string.Join(", ", header.Select(h => Shorten(h)))
            : $"{string.Join(", ", header.Take(shown).Select(h => Shorten(h)))} and {header.Length - shown} more";

    private static string Shorten(string? value) => value is null ? string.Empty : value.Length <= 40 ? value : value[..40] + "…";

    private static string Format(DateTime? at) => at?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "…";

    // Names in messages: a midnight bound is just its date.
    private static string Compact(DateTime? at) => at is { TimeOfDay.Ticks: 0 } day ? day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Format(at);

    private struct ColumnProblems
    {
        public long Count;
        public long FirstRow;
        public long FirstLine;
        public string? FirstValue;
        public long OutOfRange;
        public long FirstOutOfRangeRow;
        public long FirstOutOfRangeLine;
        public string? FirstOutOfRangeValue;
        public long MissingLabels;
        public long FirstMissingLabelRow;
    }
}
