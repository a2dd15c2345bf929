using System.Text;

namespace ModelRetraining;

/// <summary>
/// Splits one record's text into fields by RFC 4180's rule, which both CSV tokenizers of
/// <see cref="CsvDataSource"/> follow: a quote opens a quoted field only at the start of a field (a quote
/// inside <c>12" screen</c> is text), <c>""</c> inside quotes is one quote, and a line break inside quotes
/// is part of the field.
/// </summary>
internal static class CsvFieldSplitter
{
    /// <summary>
    /// Splits <paramref name="record"/>. Unquoted fields are addressed in the record (start ≥ 0); quoted ones
    /// are unescaped into <paramref name="unescaped"/> and addressed with a negative start (−start − 1).
    /// </summary>
    /// <returns>
    /// <see langword="false"/> when the text is not exactly one record by this rule: a line break outside
    /// quotes, or a quoted field still open at its end.
    /// </returns>
    public static bool Split(ReadOnlySpan<char> record, char separator, List<(int Start, int Length)> fields, StringBuilder unescaped)
    {
        fields.Clear();
        unescaped.Clear();
        var i = 0;
        while (true)
        {
            if (i < record.Length && record[i] == '"')
            {
                var begin = unescaped.Length;
                var closed = false;
                i++;
                while (i < record.Length)
                {
                    if (record[i] == '"')
                    {
                        if (i + 1 < record.Length && record[i + 1] == '"')
                        {
                            unescaped.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        closed = true;
                        break;
                    }

                    var run = record[i..].IndexOf('"');
                    run = run < 0 ? record.Length - i : run;
                    unescaped.Append(record.Slice(i, run));
                    i += run;
                }

                if (!closed)
                {
                    return false;
                }

                // Anything between the closing quote and the separator is kept, as most readers do.
                var rest = record[i..].IndexOfAny(separator, '\r', '\n');
                rest = rest < 0 ? record.Length - i : rest;
                unescaped.Append(record.Slice(i, rest));
                i += rest;
                fields.Add((-begin - 1, unescaped.Length - begin));
            }
            else
            {
                var end = record[i..].IndexOfAny(separator, '\r', '\n');
                end = end < 0 ? record.Length : i + end;
                fields.Add((i, end - i));
                i = end;
            }

            if (i >= record.Length)
            {
                return true;
            }

            if (record[i] != separator)
            {
                return false; // a line break outside quotes: more than one record
            }

            i++;
            if (i == record.Length)
            {
                fields.Add((i, 0));
                return true;
            }
        }
    }
}
