namespace ModelRetraining;

/// <summary>
/// The records of a CSV text, one at a time: what <see cref="CsvDataSource"/> reads from, whichever
/// tokenizer splits them (Sep on the fast path, <see cref="CsvRecordReader"/> when Sep's quoting would differ).
/// </summary>
internal interface ICsvRecords
{
    /// <summary>Gets the number of fields of the current record.</summary>
    int FieldCount { get; }

    /// <summary>Gets the 1-based line where the current record starts.</summary>
    long LineNumber { get; }

    /// <summary>Gets the 1-based line where the current record ends (later than <see cref="LineNumber"/> when a quoted field spans lines).</summary>
    long EndLineNumber { get; }

    /// <summary>Gets the current record as the file wrote it, without its line break (what the fingerprint hashes).</summary>
    ReadOnlySpan<char> RawRecord { get; }

    /// <summary>Reads the next record.</summary>
    /// <returns><see langword="false"/> at the end of the text.</returns>
    bool Read();

    /// <summary>Gets a field of the current record, unescaped; valid until the next <see cref="Read"/>.</summary>
    /// <param name="index">The 0-based field index.</param>
    /// <returns>The field's characters.</returns>
    ReadOnlySpan<char> Field(int index);

    /// <summary>Counts <paramref name="lines"/> as read before the first (a part of a larger file).</summary>
    /// <param name="lines">The lines before.</param>
    void SkipLineNumbers(long lines);
}
