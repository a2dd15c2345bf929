namespace ModelRetraining;

/// <summary>One column of a <see cref="DataSchema"/>.</summary>
/// <param name="Name">The column name, compared ordinally.</param>
/// <param name="Kind">The logical type.</param>
/// <param name="IsDerived">Whether the column is computed from other columns rather than read.</param>
public sealed record DataColumn(string Name, DataColumnKind Kind, bool IsDerived = false);
