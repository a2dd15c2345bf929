using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;

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

        // The same rows given column by column (as Parquet's row groups are) and in two calls: the same
        // fingerprint and the same values, with nothing boxed.
        var byColumns = new DatasetSnapshotBuilder(columns);
        foreach (var (start, count) in new[] { (0, 700), (700, 1_300) })
        {
            var slice = rows.Skip(start).Take(count).ToArray();
            byColumns.AddColumns(
                count,
                slice.Select(r => (float)r[0]!).ToArray(),
                slice.Select(r => (string?)r[1]).ToArray(),
                slice.Select(r => (bool?)r[2]).ToArray(),
                slice.Select(r => (DateTime?)r[3]).ToArray());
        }

        var columnar = byColumns.Build("values", null, null, [], null);
        var rowwise = RowWise(columns, rows);
        Assert.Equal(Reference(columns, rows), columnar.Fingerprint);
        Assert.Equal(2_000, columnar.RowCount);
        Assert.Equal(rowwise.Data.Preview(2_000).RowView.Select(r => string.Join("|", r.Values.Select(v => v.Value.ToString()))), columnar.Data.Preview(2_000).RowView.Select(r => string.Join("|", r.Values.Select(v => v.Value.ToString()))));
    }

    [Fact]
    public void RowsGivenByColumns_OfTheWrongTypeOrTooFew_AreRefusedNamingTheColumn()
    {
        var builder = new DatasetSnapshotBuilder([new("x", DataColumnKind.Numeric), new("at", DataColumnKind.DateTime)]);
        var wrongType = Assert.Throws<ArgumentException>(() => builder.AddColumns(2, new float[2], new DateTime[2]));
        Assert.Contains("Column 'at' (DateTime) must be given as DateTime?[] of at least 2 values; it was DateTime[] of 2", wrongType.Message, StringComparison.Ordinal);
        var tooFew = Assert.Throws<ArgumentException>(() => builder.AddColumns(3, new float[2], new DateTime?[3]));
        Assert.Contains("Column 'x' (Numeric)", tooFew.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.AddColumns(1, new float[1]));
        Assert.Equal(0, builder.Rows);
    }

    private static DatasetSnapshot RowWise(DataColumn[] columns, object?[][] rows)
    {
        var builder = new DatasetSnapshotBuilder(columns);
        foreach (var row in rows)
        {
            builder.Add(row);
        }

        return builder.Build("values", null, null, [], null);
    }
}
