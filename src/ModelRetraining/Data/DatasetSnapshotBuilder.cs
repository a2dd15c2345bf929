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
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A public type that was never disposable; its hash's native context is released by the finalizer.")]
public sealed partial class DatasetSnapshotBuilder
{
    private readonly IReadOnlyList<DataColumn> _columns;
    private readonly ColumnBuffer[] _buffers;
    private readonly BlockHash _hash = new();
    private byte[] _encoded = new byte[256];
    private byte[] _scratch = new byte[256];

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

        // Each value as <length in chars>:<text>; written straight as UTF-8 (the bytes are those of the
        // text form: shortest round-trip floats, 1/0, ticks, the string itself), so no string per value.
        var length = 0;
        for (var c = 0; c < _buffers.Length; c++)
        {
            _buffers[c].Add(values[c]);
            length = Append(values[c], length);
        }

        Reserve(length, 1);
        _encoded[length] = (byte)'\n';
        _hash.Append(_encoded.AsSpan(0, length + 1));
        Rows++;
    }

    private int Append(object? value, int at)
    {
        switch (value)
        {
            case null:
                return Empty(at);
            case float f when float.IsNaN(f):
                return Empty(at);
            case float f:
                return Formatted(f, "R", at);
            case bool b:
                return Flag(b, at);
            case DateTime time:
                return Formatted(time.Ticks, null, at);
            case string text:
                return Text(text, at);
            default:
                return Text(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, at);
        }
    }

    private int Flag(bool value, int at)
    {
        Reserve(at, 5);
        "1:"u8.CopyTo(_encoded.AsSpan(at));
        _encoded[at + 2] = value ? (byte)'1' : (byte)'0';
        _encoded[at + 3] = (byte)';';
        return at + 4;
    }

    private int Empty(int at)
    {
        Reserve(at, 3);
        "0:;"u8.CopyTo(_encoded.AsSpan(at));
        return at + 3;
    }

    // A number's text is ASCII: its length in chars is its length in bytes.
    private int Formatted<T>(T number, string? format, int at)
        where T : IUtf8SpanFormattable
    {
        Span<byte> digits = stackalloc byte[64];
        number.TryFormat(digits, out var written, format, CultureInfo.InvariantCulture);
        return Prefixed(digits[..written], written, at);
    }

    private int Text(string text, int at)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_scratch.Length < most)
        {
            _scratch = new byte[most * 2];
        }

        var written = Encoding.UTF8.GetBytes(text, _scratch);
        return Prefixed(_scratch.AsSpan(0, written), text.Length, at);
    }

    private int Prefixed(ReadOnlySpan<byte> body, int chars, int at)
    {
        Reserve(at, body.Length + 13);
        var span = _encoded.AsSpan(at);
        chars.TryFormat(span, out var prefix, default, CultureInfo.InvariantCulture);
        span[prefix] = (byte)':';
        body.CopyTo(span[(prefix + 1)..]);
        span[prefix + 1 + body.Length] = (byte)';';
        return at + prefix + body.Length + 2;
    }

    private void Reserve(int at, int more)
    {
        if (_encoded.Length < at + more)
        {
            Array.Resize(ref _encoded, Math.Max(_encoded.Length * 2, at + more));
        }
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
        var view = new ColumnarDataView([.. _columns.Select((c, i) => (c.Name, c.Kind, _buffers[i].Values()))], Rows);
        var schema = new DataSchema(_columns, labelColumn, timeColumn);
        return new DatasetSnapshot(name, view, schema, Rows, _hash.Finish())
        {
            ReadIssues = issues,
            DeclaredSchema = schema,
            Location = location,
        };
    }
}
