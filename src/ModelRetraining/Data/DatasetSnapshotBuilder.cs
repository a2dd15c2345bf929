using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ModelRetraining;

/// <summary>
/// Builds a <see cref="DatasetSnapshot"/> from rows of typed values, for a data source of your own: the rows
/// are kept column by column (the in-memory view the CSV source uses, which ML.NET trainers read fast) and
/// fingerprinted as they come from a canonical form of each value (its kind, length and invariant text), so
/// the same values give the same fingerprint whatever produced them (objects, a query, a Parquet file).
/// </summary>
public sealed class DatasetSnapshotBuilder
{
    private readonly IReadOnlyList<DataColumn> _columns;
    private readonly ColumnBuffer[] _buffers;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly StringBuilder _canonical = new();
    private byte[] _encoded = new byte[256];

    /// <summary>Starts a snapshot of the given columns.</summary>
    /// <param name="columns">The columns, in the order of the values <see cref="Add"/> takes.</param>
    public DatasetSnapshotBuilder(IReadOnlyList<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = columns;
        _buffers = [.. columns.Select(c => ColumnBuffer.Create(c.Kind))];
    }

    /// <summary>Gets the number of rows added.</summary>
    public int Rows { get; private set; }

    /// <summary>Adds a row: one value per column, already of its kind (<see langword="float"/>, <see langword="string"/>, <see langword="bool"/>, <see cref="DateTime"/>), or <see langword="null"/> (or NaN) for missing.</summary>
    /// <param name="values">The values, one per column.</param>
    /// <exception cref="ArgumentException">The number of values is not the number of columns.</exception>
    public void Add(ReadOnlySpan<object?> values)
    {
        if (values.Length != _buffers.Length)
        {
            throw new ArgumentException($"A row has {values.Length} values for {_buffers.Length} columns.", nameof(values));
        }

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

    /// <summary>Makes the snapshot of the rows added.</summary>
    /// <param name="name">The data set's short name.</param>
    /// <param name="labelColumn">The label column, if any.</param>
    /// <param name="timeColumn">The time column, if any.</param>
    /// <param name="issues">What the reader met (<see cref="DatasetSnapshot.ReadIssues"/>).</param>
    /// <param name="location">Where the data came from in full (<see cref="DatasetSnapshot.Location"/>).</param>
    /// <returns>The snapshot.</returns>
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
