namespace ModelRetraining;

/// <summary>One column of a <see cref="CsvSchema"/>.</summary>
public sealed class CsvColumn
{
    internal CsvColumn(string name, DataColumnKind kind, Func<CsvRow, object?>? compute)
    {
        Name = name;
        Kind = kind;
        Compute = compute;
    }

    /// <summary>Gets the column name.</summary>
    public string Name { get; }

    /// <summary>Gets the column type.</summary>
    public DataColumnKind Kind { get; }

    /// <summary>Gets a value indicating whether the column is computed rather than read.</summary>
    public bool IsDerived => Compute is not null;

    internal Func<CsvRow, object?>? Compute { get; }
}
