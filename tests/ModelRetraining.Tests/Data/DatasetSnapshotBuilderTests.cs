using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining.Tests.Data;

/// <summary>The value fingerprint is part of every lineage already stored: it must stay exactly what it was.</summary>
public sealed class DatasetSnapshotBuilderTests
{
    // The canonical form as first written: per value "<chars>:<text>;", per row a line, SHA-256 over the UTF-8.
    private static string Reference(DataColumn[] columns, IEnumerable<object?[]> rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows)
        {
            var canonical = new StringBuilder();
            foreach (var value in row)
            {
                var text = value switch
                {
                    null => string.Empty,
                    float f => float.IsNaN(f) ? string.Empty : f.ToString("R", CultureInfo.InvariantCulture),
                    bool b => b ? "1" : "0",
                    DateTime at => at.Ticks.ToString(CultureInfo.InvariantCulture),
                    string s => s,
                    var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty,
                };
                canonical.Append(text.Length).Append(':').Append(text).Append(';');
            }

            hash.AppendData(Encoding.UTF8.GetBytes(canonical.Append('\n').ToString()));
        }

        _ = columns;
        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    [Fact]
    public void TheFingerprint_IsTheCanonicalTextsHash_ForEveryKindOfValue()
    {
        DataColumn[] columns = [new("x", DataColumnKind.Numeric), new("name", DataColumnKind.Text), new("flag", DataColumnKind.Boolean), new("at", DataColumnKind.DateTime)];
        var random = new Random(3);
        var names = new[] { "ORD", string.Empty, "Zürich", "東京", "emoji 🚀", new string('a', 5_000), "a;b:c\nd" };
        var rows = Enumerable.Range(0, 2_000).Select(i => new object?[]
        {
            (i % 17) switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => -0f, 3 => float.MaxValue, 4 => float.Epsilon, _ => (float)(random.NextDouble() * 1e6 - 5e5) },
            i % 11 == 0 ? null : names[i % names.Length],
            i % 13 == 0 ? null : i % 2 == 0,
            i % 7 == 0 ? null : new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(i * 977.3),
        }).ToArray();

        var builder = new DatasetSnapshotBuilder(columns);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        Assert.Equal(Reference(columns, rows), builder.Build("values", null, null, [], null).Fingerprint);
    }
}
