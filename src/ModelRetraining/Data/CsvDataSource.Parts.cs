namespace ModelRetraining;

/// <summary>A file that is one part of a larger one (an upload cut into parts): messages numbered as in the whole.</summary>
public sealed partial class CsvDataSource
{
    /// <summary>
    /// Reads the file as one part of a larger one (its header, then a run of the whole's records): its first
    /// record is numbered as line <paramref name="linesBefore"/> + 2 and data row <paramref name="rowsBefore"/> + 1
    /// of the whole, so every message, and the row number a derived column sees, names the place in the whole.
    /// </summary>
    /// <param name="linesBefore">The whole's lines before this part's first record, its header excluded.</param>
    /// <param name="rowsBefore">The whole's data rows before this part's first record.</param>
    /// <returns>A new source; this one is unchanged.</returns>
    public CsvDataSource ContinuingAt(long linesBefore, long rowsBefore)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(linesBefore);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsBefore);
        return new CsvDataSource(_path, _schema, _from, _to, linesBefore, rowsBefore);
    }
}
