namespace ModelRetraining;

/// <summary>
/// A run of whole records of a CSV file, read with the file's header as a file of its own
/// (<see cref="CsvDataSource"/> over a byte range): bytes [<paramref name="Start"/>, <paramref name="End"/>)
/// after the header's bytes [0, <paramref name="HeaderEnd"/>).
/// </summary>
/// <param name="Number">The part's number, from 1.</param>
/// <param name="HeaderEnd">Where the header record ends (just past its line feed).</param>
/// <param name="Start">The first byte of the part's first record.</param>
/// <param name="End">Just past the part's last byte: its last line feed, or the file's end.</param>
/// <param name="LinesBefore">The file's lines before the part's first record, the header's excluded.</param>
/// <param name="RowsBefore">The file's data rows (non-blank records) before the part's first record.</param>
internal readonly record struct CsvFilePart(int Number, long HeaderEnd, long Start, long End, long LinesBefore, long RowsBefore);
