using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ModelRetraining;

// Reading one field as its declared kind, and the tallies of fields that could not be read.
public sealed partial class CsvDataSource
{
    private static bool TryParse(DataColumnKind kind, ReadOnlySpan<char> field, out object? value)
    {
        field = field.Trim();
        switch (kind)
        {
            case DataColumnKind.Numeric:
                if (field.IsEmpty)
                {
                    value = float.NaN;
                    return true;
                }

                if (float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    value = number;
                    return true;
                }

                break;
            case DataColumnKind.Text:
                value = field.IsEmpty ? string.Empty : TextPool.Intern(field);
                return true;
            case DataColumnKind.Boolean:
                if (field.IsEmpty)
                {
                    value = null;
                    return true;
                }

                if (field.Equals("true", StringComparison.OrdinalIgnoreCase) || field.SequenceEqual("1") || field.Equals("yes", StringComparison.OrdinalIgnoreCase))
                {
                    value = true;
                    return true;
                }

                if (field.Equals("false", StringComparison.OrdinalIgnoreCase) || field.SequenceEqual("0") || field.Equals("no", StringComparison.OrdinalIgnoreCase))
                {
                    value = false;
                    return true;
                }

                break;
            case DataColumnKind.DateTime:
                if (field.IsEmpty)
                {
                    value = null;
                    return true;
                }

                if (System.DateTime.TryParse(field, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var at))
                {
                    value = at;
                    return true;
                }

                break;
        }

        value = null;
        return false;
    }

    private static string Shorten(string? value) => value is null ? string.Empty : value.Length <= 40 ? value : value[..40] + "…";

    private static string Format(DateTime? at) => at?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "…";

    private struct ColumnProblems
    {
        public long Count;
        public long FirstRow;
        public long FirstLine;
        public string? FirstValue;
        public long MissingLabels;
        public long FirstMissingLabelRow;
    }
}
