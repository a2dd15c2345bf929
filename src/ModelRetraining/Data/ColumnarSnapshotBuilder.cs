using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// Collects rows of typed values into a <see cref="ColumnarDataView"/> and fingerprints them as they come:
/// the sources that do not read text (objects, database rows) hash a canonical form of each value (its kind,
/// its length and its invariant text), so the same values give the same fingerprint whatever produced them.
/// </summary>
internal sealed class ColumnarSnapshotBuilder
{
    private readonly IReadOnlyList<DataColumn> _columns;
    private readonly ColumnBuffer[] _buffers;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _canonical = new();
    private byte[] _encoded = new byte[256];

    public ColumnarSnapshotBuilder(IReadOnlyList<DataColumn> columns)
    {
        _columns = columns;
        _buffers = [.. columns.Select(c => ColumnBuffer.Create(c.Kind))];
    }

    public int Rows { get; private set; }

    /// <summary>Adds a row: one value per column, already of its kind (float, string, bool, DateTime) or null for missing.</summary>
    public void Add(ReadOnlySpan<object?> values)
    {
        _canonical.Clear();
        for (var c = 0; c < _buffers.Length; c++)
        {
            _buffers[c].Add(values[c]);
            var text = values[c] switch
            {
                null => string.Empty,
                float f => float.IsNaN(f) ? string.Empty : f.ToString("R", CultureInfo.InvariantCulture),
                bool b => b ? "1" : "0",
                DateTime at => at.Ticks.ToString(CultureInfo.InvariantCulture),
                string s => s,
                var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty,
            };
            _canonical.Append(text.Length).Append(':').Append(text).Append(';');
        }

        var needed = Encoding.UTF8.GetMaxByteCount(_canonical.Length) + 1;
        if (_encoded.Length < needed)
        {
            _encoded = new byte[needed * 2];
        }

        var written = Encoding.UTF8.GetBytes(_canonical.ToString(), _encoded);
        _encoded[written] = (byte)'\n';
        _hash.AppendData(_encoded, 0, written + 1);
        Rows++;
    }

    public DatasetSnapshot Build(string name, string? labelColumn, string? timeColumn, IReadOnlyList<DataValidationIssue> issues, string? location)
    {
        var view = new ColumnarDataView([.. _columns.Select((c, i) => (c.Name, c.Kind, _buffers[i].ToArray()))], Rows);
        var schema = new DataSchema(_columns, labelColumn, timeColumn);
        return new DatasetSnapshot(name, view, schema, Rows, "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset()))
        {
            ReadIssues = issues,
            DeclaredSchema = schema,
            Location = location,
        };
    }
}
