namespace ModelRetraining;

/// <summary>The columns of a data set, which of them is the label and which orders rows in time.</summary>
public sealed record DataSchema
{
    /// <summary>Creates a schema.</summary>
    /// <param name="columns">The columns, in order.</param>
    /// <param name="labelColumn">The label column, or <see langword="null"/> when the data carries no label.</param>
    /// <param name="timeColumn">The column that orders rows in time, if any.</param>
    public DataSchema(IReadOnlyList<DataColumn> columns, string? labelColumn = null, string? timeColumn = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        LabelColumn = labelColumn;
        TimeColumn = timeColumn;
    }

    /// <summary>Gets the columns, in order.</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>Gets the label column name, if any.</summary>
    public string? LabelColumn { get; }

    /// <summary>Gets the time column name, if any.</summary>
    public string? TimeColumn { get; }

    /// <summary>Finds a column by name.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The column, or <see langword="null"/> when the schema has none of that name.</returns>
    public DataColumn? Find(string name)
    {
        foreach (var column in Columns)
        {
            if (string.Equals(column.Name, name, StringComparison.Ordinal))
            {
                return column;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString()
        => string.Join(", ", Columns.Select(c => $"{c.Name}:{c.Kind}")) + (LabelColumn is null ? string.Empty : $" (label {LabelColumn})");
}
