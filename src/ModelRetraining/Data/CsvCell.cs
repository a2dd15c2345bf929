namespace ModelRetraining;

/// <summary>
/// One parsed CSV field, held by kind without boxing: a read of a million rows used to box three million
/// values on their way to typed columns, and the collections that cost were a third of the read.
/// </summary>
internal struct CsvCell
{
    /// <summary>A numeric value; NaN when missing.</summary>
    public float Number;

    /// <summary>A time, when <see cref="HasTime"/>.</summary>
    public DateTime Time;

    /// <summary>A text value (empty when missing).</summary>
    public string? Text;

    /// <summary>A Boolean value, when <see cref="HasFlag"/>.</summary>
    public bool Flag;

    public bool HasTime;

    public bool HasFlag;

    /// <summary>Gets a cell with nothing in it, whatever its kind.</summary>
    public static CsvCell Missing => new() { Number = float.NaN };

    /// <summary>The value as the derived-column API sees it (<see cref="CsvRow"/>).</summary>
    public readonly object? Box(DataColumnKind kind) => kind switch
    {
        DataColumnKind.Numeric => Number,
        DataColumnKind.Text => Text,
        DataColumnKind.Boolean => HasFlag ? Flag : null,
        DataColumnKind.DateTime => HasTime ? Time : null,
        _ => null,
    };
}
