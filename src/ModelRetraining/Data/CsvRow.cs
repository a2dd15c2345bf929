namespace ModelRetraining;

/// <summary>The parsed values of the CSV row being read, for derived columns.</summary>
public sealed class CsvRow
{
    private readonly Dictionary<string, int> _index;
    private readonly object?[] _values;
    private readonly string?[]? _absent;

    internal CsvRow(Dictionary<string, int> index, object?[] values, string?[]? absent = null)
    {
        _index = index;
        _values = values;
        _absent = absent;
    }

    internal object?[] Values => _values;

    /// <summary>Gets the 1-based data row number in the file (the header is row 0).</summary>
    public long RowNumber { get; internal set; }

    /// <summary>Reads a numeric column; NaN when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public float GetNumeric(string column) => _values[IndexOf(column)] is float value ? value : float.NaN;

    /// <summary>Reads a text column; empty when missing.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value.</returns>
    public string GetText(string column) => _values[IndexOf(column)] as string ?? string.Empty;

    /// <summary>Reads a date-time column.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value, or <see langword="null"/> when missing.</returns>
    public DateTime? GetDateTime(string column) => _values[IndexOf(column)] as DateTime?;

    /// <summary>Reads a Boolean column.</summary>
    /// <param name="column">The column.</param>
    /// <returns>The value, or <see langword="null"/> when missing.</returns>
    public bool? GetBoolean(string column) => _values[IndexOf(column)] as bool?;

    /// <summary>Tells whether a column's value is missing in this row.</summary>
    /// <param name="column">The column.</param>
    /// <returns><see langword="true"/> when missing.</returns>
    public bool IsMissing(string column) => _values[IndexOf(column)] switch
    {
        null => true,
        float f => float.IsNaN(f),
        string s => s.Length == 0,
        _ => false,
    };

    private int IndexOf(string column)
    {
        if (!_index.TryGetValue(column, out var i))
        {
            throw new ArgumentException($"Column '{column}' is not a column of the CSV schema.", nameof(column));
        }

        // At serving time a column the input type lacks cannot be read as "missing": that would silently
        // compute a different feature than training did.
        return _absent?[i] is { } why ? throw new InvalidOperationException(why) : i;
    }
}
