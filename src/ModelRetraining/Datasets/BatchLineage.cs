using System.Globalization;
using System.Text.RegularExpressions;

namespace ModelRetraining;

/// <summary>
/// Reads which batches of a dataset a lineage location names. A window's location lists its batches
/// (<c>orders#3 sha256:…, orders#4 sha256:…</c>) or, past ten, their range (<c>orders#1 .. orders#20 (20 batches)</c>);
/// a range names every batch between its ends.
/// </summary>
internal static class BatchLineage
{
    public static IEnumerable<long> Sequences(string location, string dataset)
    {
        var escaped = Regex.Escape(dataset);
        foreach (Match range in Regex.Matches(location, $@"(?<![\w.-]){escaped}#(\d+) \.\. {escaped}#(\d+)", RegexOptions.CultureInvariant))
        {
            var first = long.Parse(range.Groups[1].Value, CultureInfo.InvariantCulture);
            var last = long.Parse(range.Groups[2].Value, CultureInfo.InvariantCulture);
            for (var sequence = first; sequence <= last; sequence++)
            {
                yield return sequence;
            }
        }

        foreach (Match one in Regex.Matches(location, $@"(?<![\w.-]){escaped}#(\d+)", RegexOptions.CultureInvariant))
        {
            yield return long.Parse(one.Groups[1].Value, CultureInfo.InvariantCulture);
        }
    }
}
