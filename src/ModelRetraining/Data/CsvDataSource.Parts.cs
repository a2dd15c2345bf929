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

    /// <summary>
    /// Cuts a plain file (no time window, not compressed, not a part already) of at least two parts' bytes into
    /// sources of about <paramref name="partBytes"/> each, at record ends, to be read at once on several cores;
    /// each names rows and lines as in the whole file. <see langword="null"/> when the file is not cut.
    /// </summary>
    internal IEnumerable<CsvDataSource>? InParts(long partBytes)
    {
        if (_part is not null || _from is not null || _to is not null || _linesBefore != 0 || _rowsBefore != 0
            || _path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || !File.Exists(_path) || new FileInfo(_path).Length < 2 * partBytes)
        {
            return null;
        }

        return CsvPartPlanner.Plan(_path, _schema.Separator, partBytes) is { } plan ? PartsOrWhole(plan) : null;
    }

    // A file whose header the plan could not end (a lone carriage return, no line feed) is read whole.
    private IEnumerable<CsvDataSource> PartsOrWhole(IEnumerable<CsvFilePart> plan)
    {
        var any = false;
        foreach (var part in plan)
        {
            any = true;
            yield return new CsvDataSource(_path, _schema, null, null, part.LinesBefore, part.RowsBefore, part);
        }

        if (!any)
        {
            yield return this;
        }
    }

    // After the first rows, the columns are given room for the rows the file's size promises (a plain file,
    // no time window): growing them by doubling copied each column about twice and left the garbage of every
    // smaller array, which at 10M rows was most of the read's time in the GC. A guess too small grows as
    // before; one too large is cut to size at the end. The first rows can mislead (short at the start, long
    // later): a guess whose columns would take more than a quarter of the memory the GC may use is not
    // acted on, and the columns grow as they go.
    private void Presize(ColumnBuffer[] buffers, long length, long sampleBytes)
    {
        if (_path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || sampleBytes <= 0)
        {
            return;
        }

        var rows = (double)length / sampleBytes * SizingSample * 1.02;
        var bytesPerRow = buffers.Sum(b => b.ValueSize);
        if (rows > Array.MaxLength / 2 || rows * bytesPerRow > GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4.0)
        {
            return;
        }

        foreach (var buffer in buffers)
        {
            buffer.EnsureCapacity((int)rows);
        }
    }
}
